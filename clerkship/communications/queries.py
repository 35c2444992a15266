"""Reads of templates, of the messages staff wrote, and of the messages a student received."""

from __future__ import annotations

from sqlalchemy import Select, select

from clerkship.communications.models import MessageTemplate, StaffMessage
from clerkship.cycles.models import Department
from clerkship.extensions import db
from clerkship.outbox.queries import messages_for_recipient


def department_templates(department: Department) -> list[MessageTemplate]:
    """The department's templates staff write from, by name."""
    return list(
        db.session.scalars(
            select(MessageTemplate)
            .where(
                MessageTemplate.department_id == department.id,
                MessageTemplate.automatic.is_(None),
            )
            .order_by(MessageTemplate.name)
        )
    )


def automatic_versions(department: Department) -> dict[str, MessageTemplate]:
    """The department's own wordings of automatic emails, by email."""
    rows = db.session.scalars(
        select(MessageTemplate).where(
            MessageTemplate.department_id == department.id,
            MessageTemplate.automatic.is_not(None),
        )
    )
    return {row.automatic: row for row in rows}


def staff_messages(department: Department) -> Select:
    """The messages staff of the department wrote, newest first (paged by the view)."""
    return (
        select(StaffMessage)
        .where(StaffMessage.department_id == department.id)
        .order_by(StaffMessage.created_at.desc(), StaffMessage.id.desc())
    )


def messages_to(user_id: int) -> Select:
    """Every message queued or sent to a student, automatic or written, newest first."""
    return messages_for_recipient(user_id)


def department_names(ids) -> dict[int, str]:
    """Department names by id."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return dict(
        db.session.execute(
            select(Department.id, Department.name).where(Department.id.in_(wanted))
        ).all()
    )
