"""Every change of an evaluation: the form's versions, assigning faculty, drafts, finalising,
sending to the home school through an expiring link, each download audited."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import select

from clerkship.accounts.models import User
from clerkship.allocation.models import Placement, PlacementState
from clerkship.applications.models import ApplicationState
from clerkship.audit.services import record_event
from clerkship.core.rules import RuleViolation
from clerkship.core.time import format_datetime, utcnow
from clerkship.core.urls import external_url
from clerkship.cycles.models import Department
from clerkship.evaluations import queries
from clerkship.evaluations.models import (
    SLOE_GLOBAL_RANKS,
    SLOE_GUIDANCE,
    EvaluationAssignment,
    EvaluationCriterion,
    EvaluationFormVersion,
    EvaluationState,
    HomeSchool,
    HomeSchoolLink,
    RotationEvaluation,
    StudentHomeSchool,
)
from clerkship.extensions import db
from clerkship.outbox.services import queue_email
from clerkship.reviews.rubrics.services import CriterionInput
from clerkship.rotations import queries as rotation_queries
from clerkship.rotations.models import RotationState

MAX_CRITERIA = 20
STALE = (
    "Someone else saved this after you opened it. Nothing was saved; what you typed is kept "
    "below. Check the current version and save again."
)


class LinkProblem(Exception):
    """Why a home school's link does not open: unknown, expired or replaced."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# The form --------------------------------------------------------------------------------


def _check_form(title, low, high, criteria: Sequence[CriterionInput], grades: list[str]) -> None:
    if not title.strip():
        raise RuleViolation("Give the form a title.", field="title")
    if not 0 <= low < high <= 10:
        raise RuleViolation("Choose a scale from the list.", field="scale")
    if not criteria:
        raise RuleViolation("The form needs at least one criterion.")
    if len(criteria) > MAX_CRITERIA:
        raise RuleViolation(f"The form has at most {MAX_CRITERIA} criteria.")
    seen: set[str] = set()
    for c in criteria:
        where = f"criteria-{c.index}"
        name = c.name.strip()
        if not name:
            raise RuleViolation("Name the criterion.", field=f"{where}-name")
        if name.casefold() in seen:
            raise RuleViolation(
                f"Two criteria are called {name}; give each its own name.", field=f"{where}-name"
            )
        seen.add(name.casefold())
        missing = [lvl for lvl in range(low, high + 1) if not c.descriptions.get(lvl, "").strip()]
        if missing:
            raise RuleViolation(
                f"Describe the behaviour for every level of {name}; level {missing[0]} has no "
                "description.",
                field=f"{where}-levels-{missing[0] - low}",
            )
    if len(grades) < 2:
        raise RuleViolation("List at least two grades, one a line.", field="grades")
    if len({g.casefold() for g in grades}) != len(grades):
        raise RuleViolation("Each grade appears once.", field="grades")
    if any(len(g) > 80 for g in grades):
        raise RuleViolation("A grade has at most 80 characters.", field="grades")


def save_form_version(
    department: Department,
    *,
    title: str,
    scale_low: int,
    scale_high: int,
    criteria: Sequence[CriterionInput],
    grades: Sequence[str],
    student_sees_content: bool,
    based_on: int | None,
    by: User,
    sloe: bool = False,
) -> EvaluationFormVersion:
    """Save the department's evaluation form as a new version; earlier versions, and the
    evaluations written on them, stay as they were."""
    grades = [" ".join(g.split()) for g in grades if g.strip()]
    _check_form(title, scale_low, scale_high, criteria, grades)
    current = queries.current_form(department)
    if (current.id if current else None) != based_on:
        raise RuleViolation(STALE)
    form = EvaluationFormVersion(
        department_id=department.id,
        number=(current.number + 1) if current else 1,
        title=" ".join(title.split()),
        scale_low=scale_low,
        scale_high=scale_high,
        grades=grades,
        student_sees_content=student_sees_content,
        sloe=sloe,
        created_by_id=by.id,
    )
    for position, c in enumerate(criteria, start=1):
        form.criteria.append(
            EvaluationCriterion(
                position=position,
                name=c.name.strip(),
                guidance=c.guidance.strip(),
                anchors={
                    str(level): c.descriptions[level].strip()
                    for level in range(scale_low, scale_high + 1)
                },
            )
        )
    db.session.add(form)
    db.session.flush()
    record_event(
        "evaluations.form_saved",
        by=by,
        target=form,
        summary=f"{department.name}: evaluation form version {form.number}",
        criteria=[c.name for c in form.criteria],
    )
    return form


# Faculty and drafts ----------------------------------------------------------------------


def _rotating(placement: Placement) -> None:
    if placement.state is not PlacementState.HELD or placement.application.state not in (
        ApplicationState.ACCEPTED,
        ApplicationState.COMPLETED,
    ):
        raise RuleViolation("Only a student who accepted a seat is evaluated.")


def assign_faculty(placement: Placement, faculty: User, *, by: User) -> RotationEvaluation:
    """Ask a member of the faculty to evaluate the placed student (starting the evaluation on
    the department's current form if needed); they are told by email."""
    _rotating(placement)
    department = placement.application.department
    if faculty not in queries.faculty_of(department):
        raise RuleViolation(f"Choose one of the faculty of {department.name}.", field="faculty_id")
    # Two directors asking faculty at once start one evaluation, not two (the second waits
    # for the first, then finds its evaluation).
    db.session.execute(
        select(Placement.id).where(Placement.id == placement.id).with_for_update(of=Placement)
    )
    evaluation = db.session.scalar(
        select(RotationEvaluation)
        .where(RotationEvaluation.placement_id == placement.id)
        .execution_options(populate_existing=True)
    )
    if evaluation is None:
        form = queries.current_form(department)
        if form is None:
            raise RuleViolation(f"{department.name} has no evaluation form yet; build it first.")
        evaluation = RotationEvaluation(placement=placement, form_version=form)
        db.session.add(evaluation)
        db.session.flush()
    if evaluation.state is not EvaluationState.DRAFT:
        raise RuleViolation("This evaluation is final; no one else can be asked to write it.")
    if faculty.id in evaluation.faculty_ids:
        raise RuleViolation(f"{faculty.full_name} is already asked.", field="faculty_id")
    evaluation.assignments.append(EvaluationAssignment(faculty_id=faculty.id, assigned_by_id=by.id))
    db.session.flush()
    student = placement.application.student
    record_event(
        "evaluation.assigned",
        by=by,
        target=evaluation,
        subject=student,
        summary=f"{faculty.full_name} asked to evaluate ({department.name})",
    )
    queue_email(
        faculty.email,
        f"{department.name}: please evaluate a visiting student",
        "evaluation_assigned",
        recipient=faculty,
        department=department,
        faculty=faculty,
        student=student,
        block=placement.block,
        link=external_url("evaluations.edit", evaluation_id=evaluation.id),
    )
    return evaluation


def lock_evaluation(evaluation: RotationEvaluation) -> RotationEvaluation:
    """Re-read the evaluation under a row lock: two directors finalising or sending at once
    are served one after the other, and the second sees what the first did."""
    return db.session.scalar(
        select(RotationEvaluation)
        .where(RotationEvaluation.id == evaluation.id)
        .with_for_update(of=RotationEvaluation)
        .execution_options(populate_existing=True)
    )


def _check_version(evaluation: RotationEvaluation, version: int | None) -> None:
    if version is not None and version != evaluation.version:
        raise RuleViolation(STALE)


def save_draft(
    evaluation: RotationEvaluation,
    *,
    levels: dict[int, int],
    grade: str,
    narrative: str,
    by: User,
    today: date,
    version: int | None = None,
    sloe_global_rank: str = "",
    sloe_guidance: str = "",
) -> None:
    """Save what the faculty wrote so far, from the block's first day on (on a SLOE form,
    with the letter's global assessment and expected guidance)."""
    _check_version(evaluation, version)
    if evaluation.state is not EvaluationState.DRAFT:
        raise RuleViolation("This evaluation is final and can no longer be changed.")
    block = evaluation.placement.block
    if today < block.starts_on:
        raise RuleViolation(
            f"The rotation starts on {block.starts_on:%B %-d, %Y}; the evaluation is written "
            "during or after it."
        )
    form = evaluation.form_version
    criteria = {c.id: c for c in form.criteria}
    for criterion_id, level in levels.items():
        if criterion_id not in criteria or level not in form.levels:
            raise RuleViolation("Choose one of the levels.", field=f"criterion_{criterion_id}")
    if grade and grade not in form.grades:
        raise RuleViolation("Choose one of the grades.", field="grade")
    if form.sloe:
        if sloe_global_rank and sloe_global_rank not in SLOE_GLOBAL_RANKS:
            raise RuleViolation("Choose one of the ranks.", field="sloe_global_rank")
        if sloe_guidance and sloe_guidance not in SLOE_GUIDANCE:
            raise RuleViolation("Choose one of the answers.", field="sloe_guidance")
        evaluation.sloe_global_rank = sloe_global_rank
        evaluation.sloe_guidance = sloe_guidance
    evaluation.levels = {str(k): v for k, v in levels.items()}
    evaluation.grade = grade
    evaluation.narrative = narrative.strip()[:20000]
    evaluation.updated_by_id = by.id
    evaluation.updated_at = utcnow()
    db.session.flush()
    record_event(
        "evaluation.draft_saved",
        by=by,
        target=evaluation,
        subject=evaluation.placement.application.student,
        summary="Evaluation draft saved",
    )


def finalise(evaluation: RotationEvaluation, *, by: User, version: int | None = None) -> None:
    """The director finalises a complete draft once the rotation is over; it keeps its form
    version and can no longer change."""
    evaluation = lock_evaluation(evaluation)
    _check_version(evaluation, version)
    if evaluation.state is not EvaluationState.DRAFT:
        raise RuleViolation("This evaluation is already final.")
    record = rotation_queries.record_of(evaluation.placement)
    if record is None or record.state is RotationState.ARRIVED:
        raise RuleViolation(
            "Record the rotation's completion (or its early end) before finalising its evaluation."
        )
    missing = [
        c.name for c in evaluation.form_version.criteria if str(c.id) not in evaluation.levels
    ]
    if missing:
        raise RuleViolation(f"Rate every criterion first; {missing[0]} has no level.")
    if not evaluation.grade:
        raise RuleViolation("Choose the overall grade first.", field="grade")
    if not evaluation.narrative:
        raise RuleViolation("Write the narrative comments first.", field="narrative")
    if evaluation.form_version.sloe and not (
        evaluation.sloe_global_rank and evaluation.sloe_guidance
    ):
        raise RuleViolation(
            "Answer the letter of evaluation's global assessment and expected guidance first."
        )
    evaluation.state = EvaluationState.FINALISED
    evaluation.finalised_by_id = by.id
    evaluation.finalised_at = utcnow()
    db.session.flush()
    record_event(
        "evaluation.finalised",
        by=by,
        target=evaluation,
        subject=evaluation.placement.application.student,
        summary=f"Evaluation finalised on form version {evaluation.form_version.number}",
    )


# The home school -------------------------------------------------------------------------


def save_home_school(
    school: HomeSchool | None,
    *,
    name: str,
    contact_name: str,
    contact_email: str,
    active: bool,
    by: User,
) -> HomeSchool:
    """Add or change a school of the list and its registrar or clerkship-office contact."""
    name = " ".join(name.split())
    clash = db.session.scalar(select(HomeSchool).where(HomeSchool.name == name))
    if clash is not None and clash is not school:
        raise RuleViolation("This school is already on the list.", field="name")
    if school is None:
        school = HomeSchool(name=name, contact_email=contact_email)
        db.session.add(school)
    school.name = name
    school.contact_name = contact_name.strip()
    school.contact_email = contact_email.strip().lower()
    school.active = active
    db.session.flush()
    record_event(
        "evaluations.home_school_saved", by=by, target=school, summary=f"Home school {name}"
    )
    return school


def choose_home_school(student: User, school: HomeSchool, *, by: User) -> None:
    """The student picks their school from the list."""
    if not school.active:
        raise RuleViolation("Choose a school from the list.", field="school_id")
    choice = db.session.scalar(
        select(StudentHomeSchool).where(StudentHomeSchool.student_id == student.id)
    )
    if choice is None:
        choice = StudentHomeSchool(student_id=student.id, school=school)
        db.session.add(choice)
    choice.school = school
    choice.chosen_at = utcnow()
    db.session.flush()
    record_event("evaluations.home_school_chosen", by=by, subject=student, summary=school.name)


def send_to_home_school(
    evaluation: RotationEvaluation, *, by: User, now: datetime
) -> HomeSchoolLink:
    """Email the student's home school a link to the final evaluation, valid 14 days; a link
    sent before stops working."""
    evaluation = lock_evaluation(evaluation)
    if evaluation.state is EvaluationState.DRAFT:
        raise RuleViolation("Finalise the evaluation before sending it.")
    student = evaluation.placement.application.student
    school = queries.home_school_of(student)
    if school is None or not school.active:
        raise RuleViolation(
            f"{student.full_name} has not chosen a home school from the list yet; ask them to "
            "choose it on their evaluations page."
        )
    for old in queries.links_of(evaluation):
        if old.revoked_at is None:
            old.revoked_at = now
    token = secrets.token_urlsafe(32)
    link = HomeSchoolLink(
        evaluation=evaluation,
        school=school,
        sent_to=school.contact_email,
        token_hash=queries.token_hash(token),
        created_by_id=by.id,
        created_at=now,
        expires_at=now + timedelta(days=queries.LINK_DAYS),
    )
    db.session.add(link)
    evaluation.state = EvaluationState.SENT
    evaluation.sent_at = now
    db.session.flush()
    department = evaluation.placement.application.department
    queue_email(
        school.contact_email,
        f"{department.name}: evaluation of {student.full_name}",
        "evaluation_sent",
        department=department,
        school=school,
        student=student,
        block=evaluation.placement.block,
        expires_at=link.expires_at,
        link=external_url("home_school.open", token=token),
        secret=True,
    )
    record_event(
        "evaluation.sent",
        by=by,
        target=evaluation,
        subject=student,
        summary=f"Sent to {school.name} ({school.contact_email})",
        link_expires=format_datetime(link.expires_at),
    )
    return link


def link_for(token: str, *, now: datetime) -> HomeSchoolLink:
    """The live link a token opens, or LinkProblem saying why not."""
    link = queries.link_by_token(token)
    if link is None:
        raise LinkProblem("This link is not valid. Ask the department to send it again.")
    if link.revoked_at is not None:
        raise LinkProblem(
            "This link was replaced by a newer one; use the link in the department's latest email."
        )
    if link.expires_at <= now:
        raise LinkProblem(
            "This link has expired (links work for 14 days). Ask the department to send it again."
        )
    return link


def record_download(link: HomeSchoolLink, *, now: datetime) -> None:
    """Audit one download of the evaluation's PDF through a home school's link."""
    link.downloads += 1
    record_event(
        "evaluation.downloaded",
        by=None,
        target=link.evaluation,
        subject=link.evaluation.placement.application.student,
        summary=f"PDF downloaded through the link sent to {link.school.name}",
        link_sent=format_datetime(link.created_at),
    )
    db.session.flush()
