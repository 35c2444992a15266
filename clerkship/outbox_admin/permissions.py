"""Who reads the outbox: administrators all of it, directors and coordinators their departments'."""

from __future__ import annotations

from clerkship.accounts.models import Role
from clerkship.outbox.models import MessageState, OutboxMessage

READERS = (Role.DIRECTOR, Role.COORDINATOR)


def outbox_departments(user) -> set[int] | None:
    """Departments whose messages user reads; None: every message (an administrator)."""
    if not user.is_authenticated:
        return set()
    if user.is_admin:
        return None
    return user.department_ids(*READERS)


def can_view_outbox(user) -> bool:
    """Whether user may open the outbox at all."""
    return user.is_authenticated and (user.is_admin or bool(user.department_ids(*READERS)))


def can_view_message(user, message: OutboxMessage) -> bool:
    """An administrator reads every message; a director or coordinator their department's."""
    departments = outbox_departments(user)
    if departments is None:
        return True
    return message.department_id is not None and message.department_id in departments


def can_retry_message(user, message: OutboxMessage) -> bool:
    """Whoever reads a failed message may send it again."""
    return message.state is MessageState.FAILED and can_view_message(user, message)
