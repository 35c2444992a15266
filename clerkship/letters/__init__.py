"""Letters of recommendation: requested by students, uploaded by writers through a single-use link."""
