"""Reminder emails about reviews that are due soon or overdue."""
