"""The interview schedule and the award roster with payments, as Export values."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from clerkship.accounts.models import Role, User
from clerkship.applications.models import StudentProfile
from clerkship.applications.permissions import can_see_pathway_flag
from clerkship.awards import queries as award_queries
from clerkship.awards.models import AwardState
from clerkship.core.tabular import Column
from clerkship.cycles.models import Cycle
from clerkship.extensions import db
from clerkship.interviews.exports.schedule import HEADER, schedule_rows
from clerkship.interviews.models import InterviewSeason
from clerkship.pathway import queries as pathway_queries
from clerkship.pathway.services.privacy import record_answers_view
from clerkship.rosters.exports import Export


def interview_schedule_export(user: User, season: InterviewSeason) -> Export:
    """The season's interview schedule: one row per booking, and one per empty day."""
    department = season.department
    keep = [
        i
        for i, header in enumerate(HEADER)
        if header != "UIM pathway" or can_see_pathway_flag(user, department)
    ]
    columns = [
        Column(f"c{i}", HEADER[i], (lambda row, i=i: row[i]), "text", 18 if i else 12) for i in keep
    ]
    return Export(
        kind="interviews",
        title=f"Interview schedule of {department.name}, {season.cycle.name}",
        stem=f"{department.slug}-interviews-{season.cycle.slug}",
        columns=columns,
        sheets=_fixed("Interview schedule", schedule_rows(season)),
        detail={"department": department.slug, "cycle": season.cycle.slug},
    )


def _fixed(title: str, rows: list) -> Callable[[], list[tuple[str, list]]]:
    """One sheet of rows read already (before the request commits and its records expire)."""
    return lambda: [(title, rows)]


AWARD_ROSTER_STATES = (AwardState.AWARDED, AwardState.ROTATION_COMPLETED, AwardState.PAID)


@dataclass(slots=True)
class AwardRow:
    """One award recipient with the rotation, the amount and the payment."""

    name: str
    email: str
    school: str
    department: str
    block_start: date | None
    block_end: date | None
    state: str
    amount: float | None
    paid_on: date | None
    paid: float | None
    reference: str
    self_identification: str = ""


def _dollars(cents: int | None) -> float | None:
    return None if cents is None else cents / 100


def award_roster_export(user: User, cycle: Cycle, *, with_answers: bool = False) -> Export:
    """Award recipients of cycle (awarded, rotation completed, paid) with their payments.

    with_answers adds each recipient's self-identification answer, for the roles that may
    read it (privacy rule 5); every recipient whose answer goes out gets an audited view.
    """
    awards = [a for a in award_queries.money_awards(cycle) if a.state in AWARD_ROSTER_STATES]
    held = award_queries.held_blocks([a.application_id for a in awards])
    profiles = {
        p.user_id: p
        for p in db.session.scalars(
            select(StudentProfile).where(StudentProfile.user_id.in_([a.student_id for a in awards]))
        )
    }
    answers_allowed = with_answers and _may_read_answers(user)
    answers: dict[int, str] = {}
    if answers_allowed:
        for award in awards:
            given = pathway_queries.self_identification(award.student, cycle)
            answers[award.student_id] = given.identifies.label if given else ""
            record_answers_view(award.student, cycle, by=user, context="award roster export")
    columns = [
        Column("name", "Student name", lambda r: r.name, width=28),
        Column("email", "Email", lambda r: r.email, width=32),
        Column("school", "Medical school", lambda r: r.school, width=34),
        Column("department", "Department", lambda r: r.department, width=24),
        Column("block_start", "Block starts", lambda r: r.block_start, "date", 12),
        Column("block_end", "Block ends", lambda r: r.block_end, "date", 12),
        Column("state", "Award state", lambda r: r.state, width=18),
        Column("amount", "Amount awarded", lambda r: r.amount, "money", 16),
        Column("paid_on", "Paid on", lambda r: r.paid_on, "date", 12),
        Column("paid", "Amount paid", lambda r: r.paid, "money", 14),
        Column("reference", "Payment reference", lambda r: r.reference, width=20),
    ]
    if answers_allowed:
        columns.append(
            Column(
                "self_identification",
                "Self-identification",
                lambda r: r.self_identification,
                width=24,
            )
        )

    def rows() -> Iterator[AwardRow]:
        for award in awards:
            block = held.get(award.application_id)
            profile = profiles.get(award.student_id)
            yield AwardRow(
                name=award.student.full_name,
                email=award.student.email,
                school=profile.medical_school if profile else "",
                department=award.application.department.name,
                block_start=block.starts_on if block else None,
                block_end=block.ends_on if block else None,
                state=award.state.label,
                amount=_dollars(award.amount_cents),
                paid_on=award.paid_on,
                paid=_dollars(award.paid_cents),
                reference=award.payment_reference or "",
                self_identification=answers.get(award.student_id, ""),
            )

    return Export(
        kind="awards",
        title=f"Award roster, {cycle.name}",
        stem=f"award-roster-{cycle.slug}",
        columns=columns,
        sheets=_fixed("Award roster", list(rows())),
        detail={"cycle": cycle.slug, "columns": [c.key for c in columns]},
    )


def _may_read_answers(user: User) -> bool:
    """The roles pathway.queries.visible_pathway_columns gives the answers to, whatever the department."""
    return user.is_authenticated and (user.is_admin or user.has_role(Role.AWARD_COMMITTEE))
