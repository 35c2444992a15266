"""Reminding applicants of what their application still lacks (documents, letters), in bulk."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select

from clerkship.accounts.models import User
from clerkship.applications.missing import ACTIVE_STATES, missing_items
from clerkship.applications.models import Application
from clerkship.applications.queries import applications_by_ids
from clerkship.audit.services import record_event
from clerkship.core.selection import BulkOutcome
from clerkship.core.time import institution_zone
from clerkship.core.urls import external_url
from clerkship.cycles.models import Cycle, Department
from clerkship.extensions import db
from clerkship.outbox.models import OutboxMessage
from clerkship.outbox.services import queue_email

TEMPLATE = "missing_items_reminder"
REMINDED = "applications.missing_items_reminded"


def _reminded_on(application_ids: list[int], today: date) -> set[int]:
    """The applications whose student was sent this reminder on today (local day)."""
    since = datetime.combine(today, time(0, 0), institution_zone())
    return set(
        db.session.scalars(
            select(OutboxMessage.application_id).where(
                OutboxMessage.template == TEMPLATE,
                OutboxMessage.application_id.in_(application_ids),
                OutboxMessage.created_at >= since,
            )
        )
    )


def remind_missing_items(
    department: Department,
    cycle: Cycle,
    applications: list[tuple[int, str]],
    *,
    today: date,
    by: User,
) -> BulkOutcome:
    """Email each selected applicant who still owes a document or a letter what is missing.

    applications: (application id, name) in the list's order. An application no longer in
    play, with nothing missing, or already reminded today is named with the reason and gets
    nothing, so submitting the same selection twice sends nothing twice. The rows are locked
    first, so two submissions at once remind each student once.
    """
    names = dict(applications)
    ids = list(names)
    done, refused = [], []
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        db.session.execute(
            select(Application.id).where(Application.id.in_(chunk)).with_for_update()
        ).all()
        loaded = [
            a
            for a in applications_by_ids(chunk)
            if (a.department_id, a.cycle_id) == (department.id, cycle.id)
        ]
        already = _reminded_on(chunk, today)
        rows = {row.application.id: row for row in missing_items(department, cycle, loaded)}
        for application_id in chunk:
            name, row = names[application_id], rows.get(application_id)
            if row is None:
                refused.append((name, "not an application to this department"))
            elif row.application.state not in ACTIVE_STATES:
                refused.append((name, f"the application is {row.application.state.label.lower()}"))
            elif row.ok:
                refused.append((name, "nothing is missing"))
            elif application_id in already:
                refused.append((name, "reminded already today"))
            else:
                _send(department, row, by=by)
                done.append(name)
    db.session.flush()
    return BulkOutcome(done=done, refused=refused)


def _send(department: Department, row, *, by: User) -> None:
    application = row.application
    letters_short = max(0, department.letters_required - row.letters_received)
    queue_email(
        application.student.email,
        f"Your application to {department.name}: what is still missing",
        TEMPLATE,
        recipient=application.student,
        department=department,
        application=application,
        missing=row.missing,
        expiring=row.expiring,
        letters_short=letters_short,
        link=external_url("documents.index"),
    )
    record_event(
        REMINDED,
        by=by,
        target=application,
        subject=application.student,
        summary=f"Reminded of missing items, {department.name}",
        missing=[kind.value for kind in row.missing],
        expiring=len(row.expiring),
        letters_short=letters_short,
    )
