"""Seat allocation: deferred acceptance with UIM-pathway reserves (docs/allocation.md)."""
