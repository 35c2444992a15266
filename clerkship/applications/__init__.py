"""Student profiles and applications: ranked block choices, statement, documents, letters."""
