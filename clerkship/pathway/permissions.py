"""Who may see and change what in the UIM pathway (docs/design.md, "The UIM pathway", rule 5)."""

from __future__ import annotations

from clerkship.accounts.models import Role, User
from clerkship.cycles.models import Department


def can_self_identify(user: User) -> bool:
    """Students give (and see, change or remove) their own optional answers."""
    return user.is_authenticated and user.is_student


def can_view_others_answers(user: User) -> bool:
    """The award committee and admins open the answers page of any student."""
    return user.is_authenticated and (user.is_admin or user.has_role(Role.AWARD_COMMITTEE))


def can_decide_pathway_flag(user: User, department: Department) -> bool:
    """The department's directors (and admins) confirm or withdraw a flag, with a reason."""
    return user.is_authenticated and (user.is_admin or user.has_role(Role.DIRECTOR, department))


def can_configure_pathway(user: User) -> bool:
    """Administrators set the cycle's definition, categories and criteria."""
    return user.is_authenticated and user.is_admin


def can_view_answer_views(user: User) -> bool:
    """Administrators read who viewed whose answers."""
    return user.is_authenticated and user.is_admin
