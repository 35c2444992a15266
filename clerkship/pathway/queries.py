"""Reads of the pathway shared by pages, services and (later) exports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask import Flask, current_app
from sqlalchemy import Select, exists, func, select

from clerkship.accounts.models import Role, User
from clerkship.applications.models import Application, ApplicationState
from clerkship.audit.models import AuditEvent
from clerkship.cycles.models import Cycle, Department
from clerkship.extensions import db
from clerkship.pathway.models import (
    AAMC_DEFINITION,
    DEFAULT_CATEGORIES,
    PathwayAggregate,
    PathwayConfig,
    PathwayDecision,
    SelfIdentification,
)
from clerkship.pathway.rules import automatic_flag

ANSWERS_VIEWED = "pathway.answers_viewed"

# Columns an export may carry about the pathway, by what they reveal.
FLAG_COLUMNS = ("in_pathway",)
ANSWER_COLUMNS = ("self_identification", "self_identification_categories", "criteria_met")


def current_config(cycle: Cycle) -> PathwayConfig | None:
    """The newest version of the cycle's pathway definition, if one was ever saved."""
    return db.session.scalar(
        select(PathwayConfig)
        .where(PathwayConfig.cycle_id == cycle.id)
        .order_by(PathwayConfig.number.desc())
        .limit(1)
    )


def config_or_default(cycle: Cycle) -> PathwayConfig:
    """The current definition, or the AAMC default (unsaved) while none was saved."""
    return current_config(cycle) or PathwayConfig(
        cycle_id=cycle.id,
        number=1,
        definition=AAMC_DEFINITION,
        categories=list(DEFAULT_CATEGORIES),
        criteria=[],
    )


def config_versions(cycle: Cycle) -> list[PathwayConfig]:
    """Every version of the cycle's definition, newest first."""
    return list(
        db.session.scalars(
            select(PathwayConfig)
            .where(PathwayConfig.cycle_id == cycle.id)
            .order_by(PathwayConfig.number.desc())
        )
    )


def answers_per_version(cycle: Cycle) -> dict[int, int]:
    """How many students' answers refer to each version (by config id)."""
    rows = db.session.execute(
        select(SelfIdentification.config_id, func.count(SelfIdentification.id))
        .where(SelfIdentification.cycle_id == cycle.id)
        .group_by(SelfIdentification.config_id)
    )
    return {config_id: count for config_id, count in rows}


def has_applications(cycle: Cycle) -> bool:
    """Whether any student has applied in the cycle (a draft counts)."""
    return bool(db.session.scalar(select(exists().where(Application.cycle_id == cycle.id))))


def self_identification(student: User, cycle: Cycle) -> SelfIdentification | None:
    """The student's answers in the cycle, if they gave any."""
    return db.session.scalar(
        select(SelfIdentification).where(
            SelfIdentification.student_id == student.id, SelfIdentification.cycle_id == cycle.id
        )
    )


# Whether a student applied for the award in a cycle (and did not withdraw): one of the two
# automatic reasons for the pathway. The awards feature, above the pathway, hands its query
# over when the app starts.
AwardApplicant = Callable[[User, Cycle], bool]
AWARD_APPLICANT_KEY = "clerkship.pathway.award_applicant"


def register_award_applicant(app: Flask, is_award_applicant: AwardApplicant) -> None:
    """Tell the pathway who applied for the award."""
    app.extensions[AWARD_APPLICANT_KEY] = is_award_applicant


def is_award_applicant(student: User, cycle: Cycle) -> bool:
    """Whether the student submitted an award application in the cycle and did not withdraw it."""
    source = current_app.extensions.get(AWARD_APPLICANT_KEY)
    return source is not None and source(student, cycle)


# The date a department's allocation run of a cycle was published (None: not yet). The
# allocation feature sits above this one and hands the answer over when the app starts.
AllocationPublished = Callable[[Department, Cycle], "date | None"]
ALLOCATION_PUBLISHED_KEY = "clerkship.pathway.allocation_published"


def register_allocation_published(app: Flask, published_on: AllocationPublished) -> None:
    """Tell the pathway when a department's allocation was published."""
    app.extensions[ALLOCATION_PUBLISHED_KEY] = published_on


def allocation_published_on(department: Department, cycle: Cycle) -> date | None:
    """The date the department's allocation of the cycle was published, if it was."""
    source = current_app.extensions.get(ALLOCATION_PUBLISHED_KEY)
    return source(department, cycle) if source is not None else None


def reserved_seat_prospect(department: Department, cycle: Cycle) -> str:
    """What being in the pathway means for the department's reserved seats now: before its
    allocation is published, it considers the student; after, only moves and later runs can."""
    published = allocation_published_on(department, cycle)
    if published is None:
        return f"{department.name} considers you for the seats reserved for the UIM pathway"
    return (
        f"Allocation in {department.name} was published on {published:%B %-d, %Y}: reserved "
        "seats can still come to you through waitlist moves and any later run, not through "
        "the published offers"
    )


@dataclass(frozen=True)
class Basis:
    """Why a student is in the pathway automatically (for the student, committee and admins)."""

    award_applicant: bool
    self_identified: bool

    @property
    def automatic(self) -> bool:
        return automatic_flag(
            award_applicant=self.award_applicant, self_identified=self.self_identified
        )


def basis(student: User, cycle: Cycle) -> Basis:
    """The two automatic reasons, read fresh from the database."""
    answers = self_identification(student, cycle)
    return Basis(
        award_applicant=is_award_applicant(student, cycle),
        self_identified=bool(answers and answers.puts_in_pathway),
    )


def latest_decisions(application_ids: list[int]) -> dict[int, PathwayDecision]:
    """Each application's newest director decision, by application id, in one query."""
    if not application_ids:
        return {}
    newest = (
        select(func.max(PathwayDecision.id))
        .where(PathwayDecision.application_id.in_(application_ids))
        .group_by(PathwayDecision.application_id)
    )
    rows = db.session.scalars(select(PathwayDecision).where(PathwayDecision.id.in_(newest)))
    return {decision.application_id: decision for decision in rows}


def decisions_of(application: Application) -> list[PathwayDecision]:
    """Every director decision on an application, newest first."""
    return list(
        db.session.scalars(
            select(PathwayDecision)
            .where(PathwayDecision.application_id == application.id)
            .order_by(PathwayDecision.id.desc())
        )
    )


def student_applications(student: User, cycle: Cycle) -> list[Application]:
    """The student's applications in the cycle, by department name."""
    return list(
        db.session.scalars(
            select(Application)
            .join(Application.department)
            .where(Application.student_id == student.id, Application.cycle_id == cycle.id)
            .order_by(Department.name)
        )
    )


def reserved_seat_departments(student: User, cycle: Cycle) -> list[Department]:
    """Departments that will consider the student for reserved seats: flagged, still open."""
    return [
        a.department
        for a in student_applications(student, cycle)
        if a.in_pathway and not a.state.is_final
    ]


def department_applications(department: Department, cycle: Cycle, flag: str = "") -> Select:
    """A department's applications in a cycle (drafts excluded), filtered by flag yes / no."""
    stmt = (
        select(Application)
        .join(Application.student)
        .where(
            Application.department_id == department.id,
            Application.cycle_id == cycle.id,
            Application.state != ApplicationState.DRAFT,
        )
        .order_by(User.full_name, Application.id)
    )
    return filter_by_flag(stmt, flag)


def filter_by_flag(stmt: Select, flag: str) -> Select:
    """Narrow a select of applications to the pathway ("yes"), the others ("no"), or leave it."""
    if flag == "yes":
        return stmt.where(Application.in_pathway.is_(True))
    if flag == "no":
        return stmt.where(Application.in_pathway.is_(False))
    return stmt


def answer_views() -> Select:
    """Every recorded view of self-identification answers, newest first."""
    return (
        select(AuditEvent)
        .where(AuditEvent.action == ANSWERS_VIEWED)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )


def aggregates(cycle: Cycle) -> list[PathwayAggregate]:
    """The counts kept after the cycle's answers were purged."""
    return list(
        db.session.scalars(
            select(PathwayAggregate)
            .where(PathwayAggregate.cycle_id == cycle.id)
            .order_by(PathwayAggregate.config_number, PathwayAggregate.item, PathwayAggregate.value)
        )
    )


def visible_pathway_columns(user: User, department: Department) -> tuple[str, ...]:
    """The pathway columns an export made by user about department may carry.

    Self-identification answers only for the award committee and admins; the yes/no flag
    also for the department's directors and coordinators; nothing for anyone else
    (reviewers see the flag only through the reviews feature's blinding settings).
    """
    if not user.is_authenticated:
        return ()
    if user.is_admin or user.has_role(Role.AWARD_COMMITTEE):
        return FLAG_COLUMNS + ANSWER_COLUMNS
    if user.has_role(Role.DIRECTOR, department) or user.has_role(Role.COORDINATOR, department):
        return FLAG_COLUMNS
    return ()
