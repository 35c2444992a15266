"""A student's affinity-group choices: saved by the student, each view by staff audited, sent to a group's contact only if allowed."""

from __future__ import annotations

from clerkship.accounts.models import User
from clerkship.audit.services import record_event
from clerkship.core.rules import RuleViolation
from clerkship.extensions import db
from clerkship.mentorship import queries
from clerkship.mentorship.models import (
    AffinityChoice,
    AffinityGroup,
    MentorRequest,
)
from clerkship.outbox.services import queue_email


def choose_affinity_groups(student: User, chosen: dict[int, bool], *, by: User) -> None:
    """Keep the groups the student ticked (group id -> share with its contact), drop the others."""
    groups = {g.id for g in queries.affinity_groups(active_only=True)}
    unknown = set(chosen) - groups
    if unknown:
        raise RuleViolation("Choose among the affinity groups listed.", "groups")
    current = {c.group_id: c for c in queries.affinity_choices(student)}
    for group_id, choice in current.items():
        if group_id not in chosen:
            db.session.delete(choice)
    for group_id, share in chosen.items():
        choice = current.get(group_id)
        if choice is None:
            db.session.add(
                AffinityChoice(student_id=student.id, group_id=group_id, share_with_contact=share)
            )
        else:
            choice.share_with_contact = share
    # The log says that the choices changed, never which groups: it is read by admins.
    record_event(
        "mentorship.affinity_chosen",
        by=by,
        subject=student,
        summary="Affinity-group choices saved",
    )
    db.session.flush()


def record_affinity_view(mentor_request: MentorRequest, *, by: User, context: str) -> None:
    """Write the audit event every staff view of a student's affinity-group choices leaves."""
    record_event(
        queries.AFFINITY_VIEWED,
        by=by,
        target=mentor_request,
        subject=mentor_request.student,
        summary=f"{mentor_request.department.name}: {context}",
        context=context,
    )
    db.session.flush()


def send_affinity_list(group: AffinityGroup, *, by: User) -> int:
    """Email the group's contact the students who chose it and allowed sharing; how many."""
    students = queries.group_members_shared(group)
    if not students:
        raise RuleViolation("No student has chosen this group and allowed sharing with it yet.")
    queue_email(
        group.contact_email,
        f"{group.name}: visiting students who would like to hear from you",
        "mentorship_affinity_list",
        group=group,
        students=students,
    )
    for student in students:
        record_event(
            queries.AFFINITY_VIEWED,
            by=by,
            target=group,
            subject=student,
            summary=f"Sent to the contact of {group.name}",
            context="group contact list",
        )
    db.session.flush()
    return len(students)
