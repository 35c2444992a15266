"""The landing page and each person's start page."""
