"""The exception services raise when a rule refuses a change."""

from __future__ import annotations


class RuleViolation(Exception):
    """A change refused by a business rule; the message is written for the user.

    field names the form field the message belongs next to, when there is one.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
