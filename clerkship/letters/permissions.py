"""Who may manage letter requests."""

from __future__ import annotations

from clerkship.accounts.models import User
from clerkship.letters.models import LetterRequest


def can_manage_letter(user: User, letter: LetterRequest) -> bool:
    """The student who asked for the letter resends or cancels the request."""
    return user.is_authenticated and letter.student_id == user.id


def can_read_own_letter(user: User, letter: LetterRequest) -> bool:
    """The student reads a received letter only if they did not waive that right."""
    return can_manage_letter(user, letter) and letter.is_received and not letter.waived
