"""Seat allocation: deferred acceptance with UIM-pathway reserves (specs/allocation.md)."""
