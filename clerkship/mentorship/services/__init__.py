"""Every change of state of a mentor request: asking, withdrawing, closing, matching, meeting.

The department's list of mentors and the affinity groups are changed in directory.py; a
student's affinity-group choices and who sees them in privacy.py.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
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
    Mentor,
    MentorRequest,
    RequestState,
)
from clerkship.outbox.services import queue_email

LIVE_STATES = (RequestState.OPEN, RequestState.MATCHED)


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
