"""Seat and email services every interview sub-domain shares: taking and releasing seats, notices."""
