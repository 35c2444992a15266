"""Residency interview days: invitations, bookings and the fair release of days."""
