"""Writing the audit log."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from clerkship.audit.models import AuditEvent, Person
from clerkship.extensions import db


def record_event(
    action: str,
    *,
    by: Person | None,
    target: Any = None,
    subject: Person | None = None,
    summary: str = "",
    **detail: Any,
) -> AuditEvent:
    """Add an audit event for action done by a user (None: the system) to target."""
    if target is not None and getattr(target, "id", 0) is None:
        db.session.flush()  # the event names the new record by its id
    event = AuditEvent(
        action=action,
        actor=by,
        actor_email=by.email if by is not None else None,
        target_type=type(target).__name__ if target is not None else None,
        target_id=getattr(target, "id", None),
        subject_user=subject,
        summary=summary[:500],
        detail=detail,
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event
