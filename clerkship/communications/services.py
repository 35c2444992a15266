"""Writing to students, and the wording of a department's templates and automatic emails."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clerkship.accounts.models import User
from clerkship.applications.queries import profile_for
from clerkship.audit.services import record_event
from clerkship.communications.automatic import AUTOMATIC_EMAILS
from clerkship.communications.bulk import Email, queue_staff_emails
from clerkship.communications.merge import FIELDS, Rendered, field_error, render
from clerkship.communications.models import MessageTemplate, StaffMessage
from clerkship.communications.recipients import Recipient, Resolution
from clerkship.core.rules import RuleViolation
from clerkship.core.time import format_date, format_datetime, utcnow
from clerkship.core.wording import Worded
from clerkship.cycles.models import Department
from clerkship.extensions import db

# One message reaches at most this many students (a season's whole department fits).
MAX_RECIPIENTS = 5000


def _check_text(subject: str, body: str, allowed: Mapping[str, str] = FIELDS) -> None:
    """Refuse empty text and placeholders that are not merge fields, next to their field."""
    if not subject.strip():
        raise RuleViolation("Write a subject.", field="subject")
    if not body.strip():
        raise RuleViolation("Write the message.", field="body")
    for name, text in (("subject", subject), ("body", body)):
        if error := field_error(text, allowed):
            raise RuleViolation(error, field=name)


def save_template(
    department: Department,
    template: MessageTemplate | None,
    *,
    name: str,
    subject: str,
    body: str,
    by: User,
) -> MessageTemplate:
    """Create or change one of the department's templates (merge fields checked)."""
    name = name.strip()
    if not name:
        raise RuleViolation("Name the template.", field="name")
    if name in AUTOMATIC_EMAILS:
        raise RuleViolation("This name is kept for an automatic email.", field="name")
    _check_text(subject, body)
    clash = select(MessageTemplate.id).where(
        MessageTemplate.department_id == department.id, MessageTemplate.name == name
    )
    if template is not None:
        clash = clash.where(MessageTemplate.id != template.id)
    if db.session.scalar(clash):
        raise RuleViolation(
            f"{department.name} has a template named “{name}” already.", field="name"
        )
    created = template is None
    if template is None:
        template = MessageTemplate(department=department)
        db.session.add(template)
    template.name, template.subject, template.body = name, subject.strip(), body
    template.updated_at, template.updated_by = utcnow(), by
    db.session.flush()
    record_event(
        "message_template.create" if created else "message_template.change",
        by=by,
        target=template,
        summary=f"{department.name}: template “{name}”",
    )
    return template


def delete_template(template: MessageTemplate, *, by: User) -> None:
    """Delete one of the department's templates (messages written from it keep their text)."""
    record_event(
        "message_template.delete",
        by=by,
        target=template,
        summary=f"{template.department.name}: template “{template.name}”",
    )
    db.session.delete(template)
    db.session.flush()


def save_automatic_email(
    department: Department, key: str, *, subject: str, body: str, by: User
) -> MessageTemplate:
    """Word one automatic email the department's way (merge fields and {link} checked)."""
    email = AUTOMATIC_EMAILS[key]
    _check_text(subject, body, email.fields)
    db.session.info.pop(WORDINGS_KEY, None)
    version = automatic_version(department.id, key)
    if version is None:
        version = MessageTemplate(department=department, name=key, automatic=key)
        db.session.add(version)
    version.subject, version.body = subject.strip(), body
    version.updated_at, version.updated_by = utcnow(), by
    db.session.flush()
    record_event(
        "message_template.automatic",
        by=by,
        target=version,
        summary=f"{department.name}: own wording of “{email.label}”",
    )
    return version


def reset_automatic_email(department: Department, key: str, *, by: User) -> bool:
    """Go back to the built-in wording of an automatic email; False if it was not changed."""
    db.session.info.pop(WORDINGS_KEY, None)
    version = automatic_version(department.id, key)
    if version is None:
        return False
    record_event(
        "message_template.reset",
        by=by,
        target=version,
        summary=f"{department.name}: “{AUTOMATIC_EMAILS[key].label}” back to the default",
    )
    db.session.delete(version)
    db.session.flush()
    return True


def automatic_version(department_id: int | None, key: str) -> MessageTemplate | None:
    """The department's own wording of an automatic email, if it has one."""
    if department_id is None:
        return None
    return db.session.scalar(
        select(MessageTemplate).where(
            MessageTemplate.department_id == department_id, MessageTemplate.automatic == key
        )
    )


WORDINGS_KEY = "clerkship_department_wordings"


def _wordings(department_id: int) -> dict[str, MessageTemplate]:
    """The department's own wordings of automatic emails by email, read once per transaction
    (a publication words hundreds of offers; saving or resetting one forgets them)."""
    cache = db.session.info.setdefault(WORDINGS_KEY, {})
    if department_id not in cache:
        with db.session.no_autoflush:
            versions = db.session.scalars(
                select(MessageTemplate).where(
                    MessageTemplate.department_id == department_id,
                    MessageTemplate.automatic.is_not(None),
                )
            )
            cache[department_id] = {version.automatic: version for version in versions}
    return cache[department_id]


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_wordings(session: Session) -> None:
    session.info.pop(WORDINGS_KEY, None)


def merge_values(
    recipient: Recipient, department: Department, *, answer_by: datetime | None = None
) -> dict[str, str]:
    """The merge fields of one recipient (never pathway status or self-identification)."""
    deadline = answer_by or recipient.answer_by
    dates = ""
    if recipient.block_start and recipient.block_end:
        dates = f"{format_date(recipient.block_start)} to {format_date(recipient.block_end)}"
    return {
        "preferred_name": recipient.preferred_name or recipient.full_name,
        "full_name": recipient.full_name,
        "department": department.name,
        "institution": current_app.config["INSTITUTION_NAME"],
        "rotation": recipient.rotation,
        "block_dates": dates,
        "interview_day": recipient.interview_day,
        "answer_by": format_datetime(deadline) if deadline else "",
    }


def preview(
    resolution: Resolution,
    department: Department,
    *,
    subject: str,
    body: str,
    answer_by: datetime | None = None,
) -> Rendered:
    """The message as its first recipient would receive it (text checked as for sending)."""
    _check_text(subject, body)
    if not resolution.recipients:
        raise RuleViolation("Nobody in this selection can receive a message.")
    first = resolution.recipients[0]
    return render(subject, body, merge_values(first, department, answer_by=answer_by))


def send_staff_message(
    department: Department,
    resolution: Resolution,
    *,
    source: str,
    subject: str,
    body: str,
    send_key: str,
    answer_by: datetime | None = None,
    template: MessageTemplate | None = None,
    by: User,
) -> tuple[StaffMessage, bool]:
    """Queue one email per student of the selection; (the send, whether it is new).

    A second submit of the same compose page (same send_key) sends nothing and returns the
    first send. Every email names one student only; all of them are queued in this
    transaction, or none.
    """
    if len(send_key) < 16:
        raise RuleViolation("This page expired: open it again from the list.")
    earlier = db.session.scalar(select(StaffMessage).where(StaffMessage.send_key == send_key))
    if earlier is not None:
        return earlier, False
    _check_text(subject, body)
    recipients = resolution.recipients
    if not recipients:
        raise RuleViolation("Nobody in this selection can receive a message.")
    if len(recipients) > MAX_RECIPIENTS:
        raise RuleViolation(f"Write to at most {MAX_RECIPIENTS} students at once.")
    sent = StaffMessage(
        department=department,
        author=by,
        template_id=template.id if template else None,
        send_key=send_key,
        source=source,
        subject=subject.strip(),
        body=body,
        recipient_count=len(recipients),
    )
    db.session.add(sent)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        # The same page submitted twice at once: the other request's send stands.
        earlier = db.session.scalar(select(StaffMessage).where(StaffMessage.send_key == send_key))
        if earlier is None:
            raise
        return earlier, False
    emails = []
    for recipient in recipients:
        message = render(subject, body, merge_values(recipient, department, answer_by=answer_by))
        emails.append(
            Email(
                to=recipient.email,
                subject=message.subject,
                text=message.text,
                html=message.html,
                recipient_id=recipient.user_id,
                application_id=recipient.application_id,
            )
        )
    # One email per student, so that nobody learns who else received it.
    queue_staff_emails(
        emails, template="staff_message", department_id=department.id, author_id=by.id
    )
    record_event(
        "staff_message.send",
        by=by,
        target=sent,
        summary=f"{department.name}: “{sent.subject}” to {len(recipients)} student(s)",
        recipients=len(recipients),
        refused=len(resolution.refused),
        source=source,
    )
    db.session.flush()
    return sent, True


def word_automatic_email(
    email: str, department_id: int, recipient_id: int | None, values: Mapping[str, str]
) -> Worded | None:
    """The department's wording of an automatic email filled in for one student, or None
    (registered as the core.wording provider)."""
    if email not in AUTOMATIC_EMAILS:
        return None
    version = _wordings(department_id).get(email)
    if version is None:
        return None
    department = db.session.get(Department, department_id)
    person = db.session.get(User, recipient_id) if recipient_id else None
    profile = profile_for(person) if person is not None else None
    full_name = person.full_name if person is not None else ""
    filled = {
        "preferred_name": (profile.preferred_name if profile else "") or full_name,
        "full_name": full_name,
        "department": department.name,
        "institution": current_app.config["INSTITUTION_NAME"],
        **{name: str(value) for name, value in values.items()},
    }
    message = render(version.subject, version.body, filled)
    return Worded(subject=message.subject, text=message.text, html=message.html)
