"""Interview seasons and their days, as the department sets them up."""
