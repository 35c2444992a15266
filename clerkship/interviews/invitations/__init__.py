"""Invitations to interview: chosen applicants or an imported list."""
