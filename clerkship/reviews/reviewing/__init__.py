"""Reviewing: the reviewer's queue, the blinded scoring page, writing and submitting reviews."""
