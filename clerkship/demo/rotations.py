"""Demo step: first-day information for every rotation, and last season's rotations.

Every active rotation gets where to go and whom to ask, shown to its placed students two
weeks before their block. A past cycle (the season before the demo's) holds Emergency
Medicine and Pediatrics rotations that ended weeks ago: the coordinators recorded each
arrival and completion through the rotation services, and one early end with its reason,
so the arrivals and completion pages and the doctor's rotation checks have real records.

Evaluations: the administrator's list of home schools (the demo's medical schools, each with
a registrar's address), each department's evaluation form, and last season's students'
evaluations: Emergency Medicine's reviewer drafted the first one (its form carries the
fields of a standardized letter of evaluation), the director finalised it and sent it to the
student's home school; the others wait as drafts.
"""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.allocation.engine import SeatType
from clerkship.allocation.models import Placement
from clerkship.applications.models import (
    Application,
    ApplicationEvent,
    ApplicationState,
    StudentProfile,
)
from clerkship.core.time import local_today, utcnow
from clerkship.cycles.models import Block, Cycle, Rotation
from clerkship.demo import data
from clerkship.evaluations import queries as evaluation_queries
from clerkship.evaluations import services as evaluations
from clerkship.extensions import db
from clerkship.offers.models import Offer, OfferState
from clerkship.reviews.rubrics.services import CriterionInput
from clerkship.rotations import services

# (demo student index, department slug, how the rotation went)
PAST_ROTATIONS = [
    (0, "emergency-medicine", "completed"),
    (5, "emergency-medicine", "completed"),
    (9, "pediatrics", "completed"),
    (12, "pediatrics", "ended early"),
]
EARLY_END_REASON = "Returned home after a family emergency in the third week."


def seed_rotations(ctx) -> None:
    """First-day information for each rotation; last season's completed rotations."""
    if ctx.cycle is None:
        return
    for slug, department in ctx.departments.items():
        coordinator = ctx.staff.get((Role.COORDINATOR, slug)) or ctx.staff[(Role.ADMIN, None)]
        for rotation in db.session.scalars(
            select(Rotation).where(Rotation.department_id == department.id).order_by(Rotation.id)
        ):
            services.save_first_day_info(
                rotation,
                where_to_go=f"{rotation.site.name}: the clerkship office by the main entrance, "
                "7:00 AM on your block's first day. Bring your badge letter and photo ID.",
                whom_to_ask=f"The {department.name} clerkship coordinator, "
                f"{department.contact_email}",
                notice_days=14,
                by=coordinator,
            )
    _seed_evaluation_forms(ctx)
    if len(ctx.students) > max(index for index, *_ in PAST_ROTATIONS):
        _seed_past_season(ctx)


def _seed_past_season(ctx) -> None:
    past = cycle_before(ctx.cycle, 1)
    # Blocks that ended weeks ago, whatever the day the demo is seeded.
    starts_on = local_today() - timedelta(days=90)
    blocks: dict[str, Block] = {}
    for slug in {slug for _i, slug, _how in PAST_ROTATIONS}:
        rotation = db.session.scalars(
            select(Rotation)
            .where(Rotation.department_id == ctx.departments[slug].id)
            .order_by(Rotation.id)
        ).first()
        blocks[slug] = Block(
            rotation=rotation,
            cycle=past,
            starts_on=starts_on,
            ends_on=starts_on + timedelta(days=rotation.weeks * 7 - 1),
            capacity=4,
            reserved=1,
        )
        db.session.add(blocks[slug])
    db.session.flush()
    today = local_today()
    for number, (index, slug, how) in enumerate(PAST_ROTATIONS):
        coordinator = ctx.staff[(Role.COORDINATOR, slug)]
        placement = accepted_last_season(
            ctx.students[index], past, ctx.departments[slug], blocks[slug]
        )
        record = services.record_arrival(
            placement, arrived_on=placement.block.starts_on, by=coordinator, today=today
        )
        if how == "completed":
            services.record_completion(record, by=coordinator, today=today)
        else:
            services.record_early_end(
                record,
                ended_on=placement.block.starts_on + timedelta(days=16),
                reason=EARLY_END_REASON,
                by=coordinator,
                today=today,
            )
        _evaluate(ctx, placement, slug, send=number == 0)
    db.session.flush()


def cycle_before(current: Cycle, years: int, closed_at=None) -> Cycle:
    """The cycle `years` before current, each of its dates shifted by that many years of
    365 days; added and flushed."""
    shift = timedelta(days=365 * years)
    year = current.rotations_start_on.year - years
    cycle = Cycle(
        name=f"{year}–{year + 1}",
        slug=f"{year}-{year + 1}",
        catalogue_opens_on=current.catalogue_opens_on - shift,
        applications_open_on=current.applications_open_on - shift,
        application_deadline=current.application_deadline - shift,
        offers_released_on=current.offers_released_on - shift,
        rotations_start_on=current.rotations_start_on - shift,
        rotations_end_on=current.rotations_end_on - shift,
        closed_at=closed_at,
    )
    db.session.add(cycle)
    db.session.flush()
    return cycle


def accepted_last_season(
    student,
    cycle,
    department,
    block,
    *,
    days_ago: int = 200,
    statement: str = "I hope to learn from your patients and your team.",
) -> Placement:
    """The student's accepted application (its whole timeline) and held seat in block, as
    last season left them (the surveys' demo places more students the same way)."""
    created = utcnow() - timedelta(days=days_ago)
    application = Application(
        student=student,
        cycle=cycle,
        department=department,
        state=ApplicationState.ACCEPTED,
        personal_statement=statement,
        submitted_at=created,
    )
    S = ApplicationState
    steps = [None, S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.OFFERED, S.ACCEPTED]
    for before, after in pairwise(steps):
        application.events.append(ApplicationEvent(from_state=before, to_state=after))
    block.open_taken += 1
    placement = Placement(
        application=application, block=block, seat_type=SeatType.OPEN, in_pathway=False
    )
    offer = Offer(
        placement=placement,
        application=application,
        state=OfferState.ACCEPTED,
        created_at=created,
        expires_at=created + timedelta(days=7),
        responded_at=created + timedelta(days=1),
    )
    db.session.add_all([application, placement, offer])
    db.session.flush()
    return placement


ANCHORS = {
    1: "Needs close supervision; misses key findings.",
    2: "Performs as expected of a fourth-year student.",
    3: "Performs like an early intern; teaches others.",
}
CRITERIA = [
    "Patient care and clinical reasoning",
    "Communication with patients and the team",
    "Professionalism",
]


def _seed_evaluation_forms(ctx) -> None:
    admin = ctx.staff[(Role.ADMIN, None)]
    for school, _accreditation in data.MEDICAL_SCHOOLS:
        domain = "".join(ch for ch in school.lower().split(" ")[0] if ch.isalnum())
        evaluations.save_home_school(
            None,
            name=school,
            contact_name="Office of the Registrar",
            contact_email=f"registrar@{domain}.example.edu",
            active=True,
            by=admin,
        )
    for slug, department in ctx.departments.items():
        director = ctx.staff[(Role.DIRECTOR, slug)]
        evaluations.save_form_version(
            department,
            title=f"{department.name}: evaluation of the visiting student",
            scale_low=1,
            scale_high=3,
            criteria=[
                CriterionInput(name=name, weight=1, descriptions=dict(ANCHORS), index=i)
                for i, name in enumerate(CRITERIA)
            ],
            grades=["Honors", "High pass", "Pass", "Fail"],
            student_sees_content=slug == "pediatrics",
            sloe=slug == "emergency-medicine",  # its director drafts the SLOE from it
            based_on=None,
            by=director,
        )


def _evaluate(ctx, placement, slug: str, *, send: bool) -> None:
    """Ask the department's reviewer to evaluate; the first evaluation is written, finalised
    and sent to the student's home school (which the student chose)."""
    director = ctx.staff[(Role.DIRECTOR, slug)]
    faculty = ctx.staff[(Role.REVIEWER, slug)]
    evaluation = evaluations.assign_faculty(placement, faculty, by=director)
    if not send:
        return
    student = placement.application.student
    profile = db.session.scalar(select(StudentProfile).where(StudentProfile.user_id == student.id))
    schools = {s.name: s for s in evaluation_queries.home_schools()}
    school = schools.get(profile.medical_school if profile else "") or next(iter(schools.values()))
    evaluations.choose_home_school(student, school, by=student)
    evaluations.save_draft(
        evaluation,
        levels={c.id: 3 for c in evaluation.form_version.criteria},
        grade="Honors",
        narrative="Took ownership of her patients from the first shift, presented clearly "
        "and asked for feedback every day. Ready for internship.",
        by=faculty,
        today=local_today(),
        sloe_global_rank="Top 10%" if evaluation.form_version.sloe else "",
        sloe_guidance="Minimal" if evaluation.form_version.sloe else "",
    )
    evaluations.finalise(evaluation, by=director)
    evaluations.send_to_home_school(evaluation, by=director, now=utcnow())
