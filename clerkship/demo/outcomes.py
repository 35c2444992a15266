"""Demo: three past seasons followed to the match, so the outcome report has a real trend.

The past season that seed_rotations added is joined by two older ones. In each, every
department has synthetic applicants in and out of the pathway, enough that several stages
hold groups of 5 or more. Seats are accepted and rotations completed through the rotation
services; the rank and match lists are imported through the outcome services (preview, then
replace). A documented fast path writes the rest straight to the rows, in the states the
services would leave them in (the doctor's invariants hold): applications not selected,
final evaluations, interview invitations and bookings on a day that has passed. The award is
left out of the past seasons (its budget is the current season's demo).
"""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from clerkship.accounts.models import Membership, Role, User
from clerkship.applications.models import (
    Application,
    ApplicationEvent,
    ApplicationState,
)
from clerkship.core.time import local_datetime, local_today, utcnow
from clerkship.cycles.models import Block, Cycle, Rotation
from clerkship.demo.rotations import accepted_last_season, cycle_before
from clerkship.evaluations.models import EvaluationFormVersion, EvaluationState, RotationEvaluation
from clerkship.extensions import db
from clerkship.interviews.models import (
    Booking,
    DayFormat,
    InterviewDay,
    InterviewSeason,
    Invitation,
    InvitationSource,
)
from clerkship.interviews.states import InvitationState
from clerkship.outcomes import services as outcomes
from clerkship.outcomes.models import ListKind
from clerkship.rotations import services as rotations

# Per past season (oldest first) and group: applied, rotated, evaluated, interviewed, ranked,
# matched. Every applicant who rotated had accepted an offer; the trend improves for the pathway.
BLOCK_CAPACITY = 8  # one reserved seat, left empty: past pathway students took open seats
SHAPES = [
    {True: (10, 5, 5, 5, 5, 2), False: (16, 7, 6, 8, 7, 5)},
    {True: (12, 6, 6, 7, 6, 3), False: (15, 7, 7, 8, 8, 5)},
    {True: (14, 8, 7, 9, 8, 5), False: (15, 6, 6, 8, 7, 5)},
]


def seed_outcomes(ctx) -> None:
    """Two seasons older than last season's, then every past season's funnel and lists."""
    if ctx.cycle is None or not ctx.departments:
        return
    existing = {c.slug: c for c in db.session.scalars(select(Cycle))}
    seasons = []  # oldest first
    for years in (3, 2, 1):
        year = ctx.cycle.rotations_start_on.year - years
        seasons.append(existing.get(f"{year}-{year + 1}") or _closed_cycle_before(ctx.cycle, years))
    serial = 0
    for age, cycle in enumerate(reversed(seasons)):  # age 0 is last season
        shape = SHAPES[len(SHAPES) - 1 - age]
        for slug, department in ctx.departments.items():
            serial = _season(ctx, cycle, slug, department, shape, age, serial)
    db.session.flush()


def _closed_cycle_before(current: Cycle, years: int) -> Cycle:
    # A finished season: closed 300 days after this day of its first year.
    shift = timedelta(days=365 * years)
    return cycle_before(current, years, closed_at=utcnow() - shift + timedelta(days=300))


def _season(ctx, cycle, slug, department, shape, age, serial) -> int:
    rotation = db.session.scalars(
        select(Rotation).where(Rotation.department_id == department.id).order_by(Rotation.id)
    ).first()
    starts_on = local_today() - timedelta(days=120 + 365 * age)
    rotated = sum(shape[g][1] for g in (True, False))
    blocks = [
        Block(
            rotation=rotation,
            cycle=cycle,
            starts_on=starts_on + timedelta(days=rotation.weeks * 7 * number),
            ends_on=starts_on + timedelta(days=rotation.weeks * 7 * (number + 1) - 1),
            capacity=BLOCK_CAPACITY,
            reserved=1,
        )
        for number in range(-(-rotated // (BLOCK_CAPACITY - 1)))
    ]
    db.session.add_all(blocks)
    taken = 0
    season = InterviewSeason(department=department, cycle=cycle)
    db.session.add(season)
    db.session.flush()
    day_on = starts_on + timedelta(days=60)
    day = InterviewDay(
        season=season,
        starts_at=local_datetime(day_on, time(8, 0)),
        ends_at=local_datetime(day_on, time(13, 0)),
        format=DayFormat.IN_PERSON,
        location=f"{rotation.site.name}, residency office",
        capacity=40,
    )
    db.session.add(day)
    coordinator = ctx.staff[(Role.COORDINATOR, slug)]
    director = ctx.staff[(Role.DIRECTOR, slug)]
    form = db.session.scalars(
        select(EvaluationFormVersion)
        .where(EvaluationFormVersion.department_id == department.id)
        .order_by(EvaluationFormVersion.number.desc())
    ).first()
    ranked, matched = [], []
    for pathway in (True, False):
        applied, rotated_n, evaluated, interviewed, rank_n, match_n = shape[pathway]
        for n in range(applied):
            serial += 1
            student = _student(ctx, serial)
            if n < rotated_n:
                block = blocks[taken // (BLOCK_CAPACITY - 1)]
                taken += 1
                placement = accepted_last_season(student, cycle, department, block)
                application = placement.application
                application.in_pathway = placement.in_pathway = pathway
                record = rotations.record_arrival(
                    placement, arrived_on=block.starts_on, by=coordinator, today=local_today()
                )
                rotations.record_completion(record, by=coordinator, today=local_today())
                if n < evaluated and form is not None:
                    db.session.add(_final_evaluation(placement, form, director))
            else:
                application = _not_selected(student, cycle, department, pathway)
            if n < interviewed:
                _interviewed(season, day, application, student)
            if n < rank_n:
                ranked.append(student.email)
            if n < match_n:
                matched.append(student.email)
    db.session.flush()
    lists = (
        (ListKind.RANK, "Email,Rank\n" + "".join(f"{e},{i}\n" for i, e in enumerate(ranked, 1))),
        (ListKind.MATCH, "Email\n" + "".join(f"{e}\n" for e in matched)),
    )
    for kind, text in lists:
        preview = outcomes.preview_list(department, cycle, kind, text.encode())
        outcomes.replace_list(department, cycle, kind, preview, by=director)
    return serial


def _student(ctx, serial: int) -> User:
    user = User(
        email=f"synthetic.past{serial}@alumni.example.edu",
        full_name=f"Past Applicant {serial}",
        password_hash=ctx.password_hash,
        email_verified_at=utcnow(),
    )
    user.memberships.append(Membership(role=Role.STUDENT, department=None))
    db.session.add(user)
    db.session.flush()
    return user


def _not_selected(student, cycle, department, pathway: bool) -> Application:
    S = ApplicationState
    application = Application(
        student=student,
        cycle=cycle,
        department=department,
        state=S.NOT_SELECTED,
        in_pathway=pathway,
        personal_statement="I hope to learn from your patients and your team.",
        submitted_at=utcnow() - timedelta(days=200),
    )
    for before, after in ((None, S.DRAFT), (S.DRAFT, S.SUBMITTED), (S.SUBMITTED, S.NOT_SELECTED)):
        application.events.append(ApplicationEvent(from_state=before, to_state=after))
    db.session.add(application)
    db.session.flush()
    return application


def _final_evaluation(placement, form, director) -> RotationEvaluation:
    return RotationEvaluation(
        placement=placement,
        form_version=form,
        state=EvaluationState.FINALISED,
        levels={str(c.id): form.scale_high for c in form.criteria},
        grade=form.grades[0] if form.grades else "Pass",
        narrative="Worked hard and cared well for patients.",
        finalised_by_id=director.id,
        finalised_at=utcnow(),
    )


def _interviewed(season, day, application, student) -> None:
    invitation = Invitation(
        season=season,
        student=student,
        source=InvitationSource.APPLICATION,
        application=application,
        full_name=student.full_name,
        email=student.email,
        state=InvitationState.ACCEPTED,
        reply_by=day.starts_at - timedelta(days=14),
        invited_at=day.starts_at - timedelta(days=30),
        responded_at=day.starts_at - timedelta(days=20),
    )
    db.session.add(invitation)
    db.session.add(
        Booking(
            day=day,
            day_reserved=False,
            invitation=invitation,
            in_pathway=application.in_pathway,
        )
    )
    day.taken += 1
