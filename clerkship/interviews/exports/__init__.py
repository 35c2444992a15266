"""Calendars (.ics) and the interview schedule exports."""
