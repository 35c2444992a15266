"""Who may apply for, read, decide and pay the award."""

from __future__ import annotations

from clerkship.accounts.models import Role, User
from clerkship.awards.models import DECIDABLE_STATES, AwardApplication, AwardState
from clerkship.cycles.models import Department


def can_apply_for_award(user: User) -> bool:
    """Students apply for the award for themselves."""
    return user.is_authenticated and user.is_student


def can_view_awards(user: User) -> bool:
    """The award committee and admins see the list of award applications and the budget."""
    return user.is_authenticated and (user.is_admin or user.has_role(Role.AWARD_COMMITTEE))


def can_decide_awards(user: User) -> bool:
    """Award committee members decide and record payments."""
    return user.is_authenticated and user.has_role(Role.AWARD_COMMITTEE)


def can_manage_award_settings(user: User) -> bool:
    """The award committee and admins set the amounts, budget, deadline, rules and essay."""
    return can_view_awards(user)


def can_complete_rotations(user: User, department: Department) -> bool:
    """The department's coordinators and directors (and admins) see its award recipients (the
    award follows the rotation's completion, which they record: rotations.permissions)."""
    return user.is_authenticated and (
        user.is_admin
        or user.has_role(Role.COORDINATOR, department)
        or user.has_role(Role.DIRECTOR, department)
    )


def can_mark_under_review(user: User, award: AwardApplication) -> bool:
    """The committee marks a submitted award application as under review."""
    return can_decide_awards(user) and award.state is AwardState.SUBMITTED


def can_decide_award(user: User, award: AwardApplication) -> bool:
    """The committee (re)decides an award application until the rotation is completed."""
    return can_decide_awards(user) and award.state in DECIDABLE_STATES


def can_pay_awards(user: User) -> bool:
    """The committee records payments; an administrator too (and only they may override
    the payment's timing rules, with a reason)."""
    return user.is_authenticated and (user.is_admin or user.has_role(Role.AWARD_COMMITTEE))


def can_record_payment(user: User, award: AwardApplication) -> bool:
    """The committee records the payment of an award whose rotation is completed; an
    administrator may also pay an awarded one before completion, with a reason."""
    if award.state is AwardState.ROTATION_COMPLETED:
        return can_pay_awards(user)
    return award.state is AwardState.AWARDED and user.is_authenticated and user.is_admin
