"""Versioned rubrics: saving them, and the forms they shape."""
