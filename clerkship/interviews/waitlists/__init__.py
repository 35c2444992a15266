"""Waitlists for full days, and offering freed seats in turn."""
