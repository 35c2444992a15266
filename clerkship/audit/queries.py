"""Reads of the audit log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time

from flask import Flask, current_app
from sqlalchemy import Select, or_, select

from clerkship.audit.models import AuditEvent
from clerkship.core.time import local_datetime, local_end_of_day

# Who a person filter ("name or email") matches: the ids of the matching users. The
# accounts feature, above the log, hands its query over when the app starts.
PeopleMatching = Callable[[str], Select]
PEOPLE_MATCHING_KEY = "clerkship.audit.people_matching"


def register_people_matching(app: Flask, people_matching: PeopleMatching) -> None:
    """Tell the log how to find the users whose name or email contains a text."""
    app.extensions[PEOPLE_MATCHING_KEY] = people_matching


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
        matching = current_app.extensions[PEOPLE_MATCHING_KEY](pattern)
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
