"""Reads of the audit log."""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import Select, or_, select

from clerkship.accounts.models import User
from clerkship.audit.models import AuditEvent
from clerkship.core.time import local_datetime, local_end_of_day


def audit_events(
    *,
    action: str | None = None,
    person: str | None = None,
    target_type: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> Select:
    """Audit events, newest first, filtered by action prefix, person, record type and dates."""
    stmt = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if action:
        stmt = stmt.where(AuditEvent.action.startswith(action))
    if target_type:
        stmt = stmt.where(AuditEvent.target_type == target_type)
    if person:
        pattern = f"%{person.lower()}%"
        matching = select(User.id).where(
            or_(User.email.like(pattern), User.full_name.ilike(pattern))
        )
        stmt = stmt.where(
            or_(
                AuditEvent.actor_email.like(pattern),
                AuditEvent.actor_id.in_(matching),
                AuditEvent.subject_user_id.in_(matching),
            )
        )
    if since:
        stmt = stmt.where(AuditEvent.at >= local_datetime(since, time()))
    if until:
        stmt = stmt.where(AuditEvent.at <= local_end_of_day(until))
    return stmt


def audit_actions() -> Select:
    """The distinct actions present in the log, for the filter."""
    return select(AuditEvent.action).distinct().order_by(AuditEvent.action)
