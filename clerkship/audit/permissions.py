"""Who may read the audit log."""

from __future__ import annotations

from clerkship.audit.models import Person


def can_view_audit_log(user: Person) -> bool:
    """Administrators read the whole audit log."""
    return user.is_authenticated and user.is_admin
