"""Reads of evaluations: the current form version, a department's evaluations, the faculty,
the home schools, a link by its token."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from clerkship.accounts.models import Membership, Role, User
from clerkship.allocation.models import Placement
from clerkship.applications.models import Application
from clerkship.cycles.models import Block, Cycle, Department
from clerkship.evaluations.models import (
    EvaluationAssignment,
    EvaluationFormVersion,
    HomeSchool,
    HomeSchoolLink,
    RotationEvaluation,
    StudentHomeSchool,
)
from clerkship.extensions import db
from clerkship.rotations import queries as rotation_queries

LINK_DAYS = 14


def token_hash(token: str) -> str:
    """The SHA-256 of a link token, as stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def current_form(department: Department) -> EvaluationFormVersion | None:
    """The newest version of the department's evaluation form."""
    return db.session.scalar(
        select(EvaluationFormVersion)
        .where(EvaluationFormVersion.department_id == department.id)
        .order_by(EvaluationFormVersion.number.desc())
        .limit(1)
    )


def form_versions(department: Department) -> list[EvaluationFormVersion]:
    """Every version of the department's form, newest first."""
    return list(
        db.session.scalars(
            select(EvaluationFormVersion)
            .where(EvaluationFormVersion.department_id == department.id)
            .order_by(EvaluationFormVersion.number.desc())
        )
    )


@dataclass(frozen=True)
class Evaluee:
    """A placed student of the department, their rotation record and evaluation (or None)."""

    placed: rotation_queries.PlacedStudent
    evaluation: RotationEvaluation | None


def department_evaluations(department: Department, cycle: Cycle) -> list[Evaluee]:
    """The department's placed students in cycle with their evaluations (three queries)."""
    placed = rotation_queries.placed_students(department, cycle)
    ids = [p.placement.id for p in placed]
    evaluations = (
        {
            e.placement_id: e
            for e in db.session.scalars(
                select(RotationEvaluation).where(RotationEvaluation.placement_id.in_(ids))
            )
        }
        if ids
        else {}
    )
    return [Evaluee(p, evaluations.get(p.placement.id)) for p in placed]


def evaluation_of(placement: Placement) -> RotationEvaluation | None:
    """The placement's evaluation, if one was started."""
    return db.session.scalar(
        select(RotationEvaluation).where(RotationEvaluation.placement_id == placement.id)
    )


def faculty_of(department: Department) -> list[User]:
    """Who may be asked to evaluate: the department's reviewers and directors, by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.department_id == department.id,
                Membership.role.in_((Role.REVIEWER, Role.DIRECTOR)),
                User.active.is_(True),
            )
            .distinct()
            .order_by(User.full_name, User.id)
        )
    )


def evaluations_for_faculty(user: User) -> list[RotationEvaluation]:
    """The drafts user was asked to write, by block start."""
    return list(
        db.session.scalars(
            select(RotationEvaluation)
            .join(EvaluationAssignment, EvaluationAssignment.evaluation_id == RotationEvaluation.id)
            .join(Placement, Placement.id == RotationEvaluation.placement_id)
            .join(Block, Block.id == Placement.block_id)
            .where(EvaluationAssignment.faculty_id == user.id)
            .options(contains_eager(RotationEvaluation.placement))
            .order_by(Block.starts_on, RotationEvaluation.id)
        ).unique()
    )


def evaluations_of_student(student: User) -> list[RotationEvaluation]:
    """The student's final evaluations (finalised or sent), newest first."""
    return list(
        db.session.scalars(
            select(RotationEvaluation)
            .join(Placement, Placement.id == RotationEvaluation.placement_id)
            .join(Application, Application.id == Placement.application_id)
            .where(Application.student_id == student.id)
            .order_by(RotationEvaluation.id.desc())
        )
    )


def home_schools(*, active_only: bool = False) -> list[HomeSchool]:
    """The list of schools, by name."""
    query = select(HomeSchool).order_by(HomeSchool.name)
    if active_only:
        query = query.where(HomeSchool.active.is_(True))
    return list(db.session.scalars(query))


def home_school_of(student: User) -> HomeSchool | None:
    """The school the student picked, if any."""
    choice = db.session.scalar(
        select(StudentHomeSchool).where(StudentHomeSchool.student_id == student.id)
    )
    return choice.school if choice else None


def links_of(evaluation: RotationEvaluation) -> list[HomeSchoolLink]:
    """The links sent for an evaluation, newest first."""
    return list(
        db.session.scalars(
            select(HomeSchoolLink)
            .where(HomeSchoolLink.evaluation_id == evaluation.id)
            .order_by(HomeSchoolLink.id.desc())
        )
    )


def link_by_token(token: str) -> HomeSchoolLink | None:
    """The link a token opens, if it was ever issued."""
    if not token or len(token) > 200:
        return None
    return db.session.scalar(
        select(HomeSchoolLink).where(HomeSchoolLink.token_hash == token_hash(token))
    )
