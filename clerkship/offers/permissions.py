"""Who may answer offers and see a department's offers and waitlist."""

from __future__ import annotations

from clerkship.accounts.models import User
from clerkship.cycles.models import Department
from clerkship.cycles.permissions import can_view_department
from clerkship.offers.models import Offer


def can_answer_offer(user: User, offer: Offer) -> bool:
    """Only the student the offer is for answers it."""
    return user.is_authenticated and offer.application.student_id == user.id


def can_view_offers(user: User, department: Department) -> bool:
    """The department's directors and coordinators, and admins, follow offers and the waitlist."""
    return can_view_department(user, department)
