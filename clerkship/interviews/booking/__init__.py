"""Booking a day: the invitee's page, booking, changing and cancelling."""
