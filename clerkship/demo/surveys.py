"""Demo step: last season's rotation surveys.

Emergency Medicine's past rotation gets a second block of four more visiting students, their
arrivals and completions recorded through the rotation services (which ask each student for
the survey by email); all but the first demo student answer, so the rotation shows its
results in aggregate (5 answers) and `amara.okafor@med.example.edu` still has "Tell us about
your rotation" on her start page. Pediatrics' one completed rotation is answered too: its
page shows that fewer than 5 students have answered.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.allocation.models import Placement
from clerkship.core.time import local_today
from clerkship.cycles.models import Block
from clerkship.demo.rotations import accepted_last_season
from clerkship.extensions import db
from clerkship.rotations import services as rotations
from clerkship.rotations.models import RotationRecord, RotationState
from clerkship.surveys import queries, services

# Demo students (by index) who rotated in Emergency Medicine last season in a second block.
EXTRA_EM_STUDENTS = (20, 21, 22, 23)
# (rating of each of the four default rating questions, comment), answer after answer.
ANSWERS = [
    ((5, 5, 4, 5), "The residents taught at every shift; I felt part of the team."),
    ((4, 5, 4, 5), "Great variety of cases. More feedback mid-rotation would help."),
    ((4, 4, 3, 4), ""),
    ((5, 4, 4, 5), "Welcoming from day one; the simulation sessions were the highlight."),
    ((3, 4, 3, 4), "Scheduling of night shifts was announced late."),
    ((4, 5, 5, 5), "I would come back for residency."),
]


def seed_surveys(ctx) -> None:
    """Five answers for Emergency Medicine's past rotation, one for Pediatrics'."""
    em = ctx.departments.get("emergency-medicine")
    if em is None or len(ctx.students) <= max(EXTRA_EM_STUDENTS):
        return
    completed = list(
        db.session.scalars(
            select(RotationRecord)
            .join(Placement, Placement.id == RotationRecord.placement_id)
            .where(RotationRecord.state == RotationState.COMPLETED)
            .order_by(RotationRecord.id)
        )
    )
    em_records = [r for r in completed if r.placement.application.department_id == em.id]
    if not em_records:
        return
    first = em_records[0].placement.block
    coordinator = ctx.staff[(Role.COORDINATOR, "emergency-medicine")]
    today = local_today()
    earlier = Block(
        rotation=first.rotation,
        cycle=first.cycle,
        starts_on=first.starts_on - timedelta(days=35),
        ends_on=first.starts_on - timedelta(days=8),
        capacity=5,
        reserved=1,
    )
    db.session.add(earlier)
    db.session.flush()
    for index in EXTRA_EM_STUDENTS:
        placement = accepted_last_season(
            ctx.students[index],
            first.cycle,
            em,
            earlier,
            days_ago=230,
            statement="I want to train where emergency medicine serves everyone.",
        )
        record = rotations.record_arrival(
            placement, arrived_on=earlier.starts_on, by=coordinator, today=today
        )
        rotations.record_completion(record, by=coordinator, today=today)
        completed.append(record)
    answers = iter(ANSWERS)
    for record in completed:
        student = record.placement.application.student
        if student.id == ctx.students[0].id:
            continue  # her start page asks her to answer
        ratings, comment = next(answers, ANSWERS[-1])
        services.submit_survey(
            record,
            form_number=_shown(record),
            ratings=dict(enumerate(ratings)),
            texts={len(queries.DEFAULT_QUESTIONS) - 1: comment},
            by=student,
        )
    db.session.flush()


def _shown(record) -> int:
    form = queries.current_form(record.placement.application.department)
    return form.number if form else 0
