"""Offers of seats, their answers and expiry, and the waitlist that refills freed seats."""
