"""Every change of state in mentorship: mentors, groups, requests, matches, meetings, sharing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from clerkship.accounts.models import User
from clerkship.audit.services import record_event
from clerkship.core.rules import RuleViolation
from clerkship.core.time import local_today, to_local, utcnow
from clerkship.core.urls import external_url
from clerkship.cycles.models import Cycle, Department
from clerkship.extensions import db
from clerkship.mentorship import queries
from clerkship.mentorship.models import (
    AffinityChoice,
    AffinityGroup,
    Mentor,
    MentorKind,
    MentorRequest,
    MentorshipSetting,
    RequestState,
)
from clerkship.outbox.services import queue_email

LIVE_STATES = (RequestState.OPEN, RequestState.MATCHED)


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


def ask_for_mentor(
    student: User,
    department: Department,
    cycle: Cycle,
    *,
    interests: str,
    share_affinity_with_staff: bool,
    by: User,
) -> MentorRequest:
    """Open the student's request for a mentor in department (reopening a withdrawn or closed one)."""
    if queries.eligible_application(student, department, cycle) is None:
        raise RuleViolation(
            f"You can ask {department.name} for a mentor once you have an application there "
            "this cycle that mentorship is open to."
        )
    mentor_request = queries.request_of(student, department, cycle)
    if mentor_request is not None and mentor_request.state in LIVE_STATES:
        raise RuleViolation(f"You have already asked {department.name} for a mentor.")
    if mentor_request is None:
        mentor_request = MentorRequest(student=student, department=department, cycle=cycle)
        try:
            # A second tab's request written meanwhile: refused here, not a server error.
            with db.session.begin_nested():
                db.session.add(mentor_request)
        except IntegrityError:
            raise RuleViolation(f"You have already asked {department.name} for a mentor.") from None
    mentor_request.state = RequestState.OPEN
    mentor_request.mentor = None
    mentor_request.matched_at = None
    mentor_request.matched_by = None
    mentor_request.first_meeting_on = None
    mentor_request.closed_reason = ""
    mentor_request.interests = interests
    mentor_request.share_affinity_with_staff = share_affinity_with_staff
    mentor_request.created_at = utcnow()
    db.session.flush()
    record_event(
        "mentorship.requested",
        by=by,
        target=mentor_request,
        subject=student,
        summary=f"{department.name}, {cycle.name}: mentor requested",
    )
    db.session.flush()
    return mentor_request


def withdraw_request(mentor_request: MentorRequest, *, by: User) -> None:
    """The student withdraws their request (open or matched)."""
    if mentor_request.state not in LIVE_STATES:
        raise RuleViolation("This request is no longer open.")
    was_matched = mentor_request.state is RequestState.MATCHED
    mentor_request.state = RequestState.WITHDRAWN
    if was_matched:
        _tell_mentor_it_ended(mentor_request)
    record_event(
        "mentorship.withdrawn",
        by=by,
        target=mentor_request,
        subject=mentor_request.student,
        summary=f"{mentor_request.department.name}: mentor request withdrawn",
    )
    db.session.flush()


def close_request(mentor_request: MentorRequest, *, reason: str, by: User) -> None:
    """Staff close a request (open or matched) with a reason; the student is told."""
    if mentor_request.state not in LIVE_STATES:
        raise RuleViolation("This request is no longer open.")
    if not reason.strip():
        raise RuleViolation("Give the reason the student will read.", "reason")
    was_matched = mentor_request.state is RequestState.MATCHED
    mentor_request.state = RequestState.CLOSED
    mentor_request.closed_reason = reason.strip()
    if was_matched:
        _tell_mentor_it_ended(mentor_request)
    record_event(
        "mentorship.closed",
        by=by,
        target=mentor_request,
        subject=mentor_request.student,
        summary=f"{mentor_request.department.name}: mentor request closed",
        reason=mentor_request.closed_reason,
    )
    queue_email(
        mentor_request.student.email,
        f"{mentor_request.department.name} visiting clerkship: your request for a mentor",
        "mentorship_closed",
        recipient=mentor_request.student,
        department=mentor_request.department,
        mentor_request=mentor_request,
        link=external_url("mentorship.index"),
    )
    db.session.flush()


def _tell_mentor_it_ended(mentor_request: MentorRequest) -> None:
    """The mentor of a pair that ended learns that their place is free (never why)."""
    mentor = mentor_request.mentor
    queue_email(
        mentor.email,
        f"{mentor_request.department.name} visiting clerkship: a mentorship has ended",
        "mentorship_ended",
        department=mentor_request.department,
        mentor_request=mentor_request,
        mentor=mentor,
    )


def _locked_request(mentor_request: MentorRequest) -> MentorRequest:
    """The request read again under a row lock, so two coordinators match it one at a time."""
    return db.session.scalars(
        select(MentorRequest)
        .where(MentorRequest.id == mentor_request.id)
        .with_for_update(of=MentorRequest)
        .execution_options(populate_existing=True)
    ).one()


def match_request(
    mentor_request: MentorRequest, mentor: Mentor, *, version: int | None, by: User
) -> None:
    """Match an open request with a mentor who has room; introduce both by email.

    The mentor's row is locked while their places are counted, so two coordinators (or a
    double submit) can never give the last place twice.
    """
    mentor_request = _locked_request(mentor_request)
    if mentor_request.state is not RequestState.OPEN:
        raise RuleViolation("This request is no longer waiting for a mentor.")
    if version is None or version != mentor_request.version:
        raise RuleViolation(
            "This request was changed by someone else after you opened it. Check it and try again."
        )
    db.session.execute(select(Mentor.id).where(Mentor.id == mentor.id).with_for_update())
    if mentor.department_id != mentor_request.department_id or not mentor.active:
        raise RuleViolation("Choose an active mentor of this department.", "mentor")
    if queries.taken_by(mentor, mentor_request.cycle) >= mentor.capacity:
        raise RuleViolation(f"{mentor.name} has no place left this cycle.", "mentor")
    mentor_request.state = RequestState.MATCHED
    mentor_request.mentor = mentor
    mentor_request.matched_at = utcnow()
    mentor_request.matched_by = by
    record_event(
        "mentorship.matched",
        by=by,
        target=mentor_request,
        subject=mentor_request.student,
        summary=f"{mentor_request.department.name}: matched with {mentor.name}",
    )
    _introduce(mentor_request, mentor)
    db.session.flush()


def _introduce(mentor_request: MentorRequest, mentor: Mentor) -> None:
    """One email to the student, one to the mentor; neither carries affinity-group choices."""
    department = mentor_request.department
    subject = f"{department.name} visiting clerkship: meet your mentor"
    queue_email(
        mentor_request.student.email,
        subject,
        "mentorship_intro_student",
        recipient=mentor_request.student,
        department=department,
        mentor_request=mentor_request,
        mentor=mentor,
        link=external_url("mentorship.index"),
    )
    queue_email(
        mentor.email,
        f"{department.name} visiting clerkship: a visiting student to mentor",
        "mentorship_intro_mentor",
        department=department,
        mentor_request=mentor_request,
        mentor=mentor,
        link=external_url("mentorship.mentees"),
    )


def record_first_meeting(mentor_request: MentorRequest, on: date, *, by: User) -> None:
    """Record the day the pair first met: not before the match, not in the future."""
    if mentor_request.state is not RequestState.MATCHED or mentor_request.matched_at is None:
        raise RuleViolation("Only a matched pair has a first meeting to record.")
    matched_on = to_local(mentor_request.matched_at).date()
    if on < matched_on:
        raise RuleViolation(
            f"The first meeting cannot be before the match ({matched_on:%b %-d, %Y}).", "met_on"
        )
    if on > local_today():
        raise RuleViolation("The first meeting cannot be in the future.", "met_on")
    mentor_request.first_meeting_on = on
    record_event(
        "mentorship.first_meeting",
        by=by,
        target=mentor_request,
        subject=mentor_request.student,
        summary=f"{mentor_request.department.name}: first meeting on {on:%b %-d, %Y}",
    )
    db.session.flush()


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
