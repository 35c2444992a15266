"""The department's mentors, who may ask for one, and the institution's affinity groups."""

from __future__ import annotations

from sqlalchemy import func, select

from clerkship.accounts.models import User
from clerkship.audit.services import record_event
from clerkship.core.rules import RuleViolation
from clerkship.cycles.models import Department
from clerkship.extensions import db
from clerkship.mentorship.models import (
    AffinityGroup,
    Mentor,
    MentorKind,
    MentorshipSetting,
)


def set_open_to_all(department: Department, open_to_all: bool, *, by: User) -> None:
    """Open asking for a mentor to every applying or placed student, or keep it to the pathway."""
    setting = db.session.scalar(
        select(MentorshipSetting).where(MentorshipSetting.department_id == department.id)
    )
    if setting is None:
        setting = MentorshipSetting(department=department)
        db.session.add(setting)
    setting.open_to_all = open_to_all
    record_event(
        "mentorship.setting_changed",
        by=by,
        target=department,
        summary=f"{department.name}: mentors "
        + ("for every visiting student" if open_to_all else "for the UIM pathway"),
    )
    db.session.flush()


def _check_mentor_email(department: Department, email: str, mentor: Mentor | None) -> None:
    clash = db.session.scalar(
        select(Mentor.id).where(
            Mentor.department_id == department.id,
            func.lower(Mentor.email) == email.lower(),
            Mentor.id != (mentor.id if mentor else 0),
        )
    )
    if clash is not None:
        raise RuleViolation(f"{department.name} already lists a mentor with this email.", "email")


def save_mentor(
    department: Department,
    mentor: Mentor | None,
    *,
    name: str,
    email: str,
    kind: MentorKind,
    capacity: int,
    offers: str,
    active: bool,
    by: User,
) -> Mentor:
    """Add a mentor to the department's list (mentor None) or change one."""
    _check_mentor_email(department, email, mentor)
    if mentor is None:
        mentor = Mentor(department=department)
        db.session.add(mentor)
    mentor.name, mentor.email, mentor.kind = name, email, kind
    mentor.capacity, mentor.offers, mentor.active = capacity, offers, active
    db.session.flush()
    record_event(
        "mentorship.mentor_saved", by=by, target=mentor, summary=f"{department.name}: {name}"
    )
    db.session.flush()
    return mentor


def save_affinity_group(
    group: AffinityGroup | None,
    *,
    name: str,
    contact_email: str,
    description: str,
    active: bool,
    by: User,
) -> AffinityGroup:
    """Add an affinity group (group None) or change one."""
    clash = db.session.scalar(
        select(AffinityGroup.id).where(
            func.lower(AffinityGroup.name) == name.lower(),
            AffinityGroup.id != (group.id if group else 0),
        )
    )
    if clash is not None:
        raise RuleViolation("An affinity group with this name exists already.", "name")
    if group is None:
        group = AffinityGroup()
        db.session.add(group)
    group.name, group.contact_email = name, contact_email
    group.description, group.active = description, active
    db.session.flush()
    record_event("mentorship.group_saved", by=by, target=group, summary=name)
    db.session.flush()
    return group
