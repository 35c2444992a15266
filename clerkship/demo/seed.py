"""`flask demo seed`: fill an empty database with a realistic season.

The seed is a list of steps over one DemoContext. The catalogue and people come
first; each later feature adds a step that builds on what is already there.
With scale=N, the people step adds N synthetic students and later steps give
them applications, so benchmarks can measure against thousands of records.
"""

from __future__ import annotations

import gc
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, insert, select

from clerkship.accounts.models import Membership, Role, User
from clerkship.accounts.passwords import hash_password
from clerkship.core.time import local_today, utcnow
from clerkship.cycles.models import Block, Cycle, Department, Rotation, Site
from clerkship.demo import data
from clerkship.demo.allocation import seed_allocation
from clerkship.demo.applications import seed_applications
from clerkship.demo.awards import seed_awards
from clerkship.demo.interviews import seed_interviews
from clerkship.demo.mentorship import seed_mentorship
from clerkship.demo.offers import seed_offer_records
from clerkship.demo.outbox import fail_one_email, hold_pending_by_id, mark_history_delivered
from clerkship.demo.outcomes import seed_outcomes
from clerkship.demo.reviews import seed_reviews
from clerkship.demo.rosters import seed_rosters
from clerkship.demo.rotations import seed_rotations
from clerkship.demo.surveys import seed_surveys
from clerkship.extensions import db


@dataclass
class DemoContext:
    """What the seed steps have built so far."""

    rng: random.Random
    scale: int = 0
    cycle: Cycle | None = None
    departments: dict[str, Department] = field(default_factory=dict)
    sites: dict[str, Site] = field(default_factory=dict)
    blocks: dict[str, list[Block]] = field(default_factory=dict)  # by department slug
    staff: dict[tuple[Role, str | None], User] = field(default_factory=dict)
    students: list[User] = field(default_factory=list)  # the named demo students
    # The --scale students, by id only: thousands of User objects held for the whole seed
    # would make every expire_all() of the services (a lock taken, then a fresh read) slow.
    synthetic_student_ids: list[int] = field(default_factory=list)
    password_hash: str = ""


def is_empty() -> bool:
    """Whether the database holds no user and no cycle."""
    return not db.session.scalar(select(func.count(User.id))) and not db.session.scalar(
        select(func.count(Cycle.id))
    )


def clear_database() -> None:
    """Delete every row of every table (the schema and its migration state stay)."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.flush()


def season_dates(today: date) -> dict[str, date]:
    """Dates of the demo cycle around today, so the demo is always mid-season."""
    year = today.year + 1 if today.month >= 7 else today.year
    return {
        "catalogue_opens_on": today - timedelta(days=30),
        "applications_open_on": today - timedelta(days=14),
        "application_deadline": today + timedelta(days=60),
        "offers_released_on": today + timedelta(days=75),
        "rotations_start_on": date(year, 7, 1),
        "rotations_end_on": date(year, 12, 31),
    }


def seed_catalogue(ctx: DemoContext) -> None:
    """The demo cycle, the four departments, three sites, rotations and monthly blocks."""
    dates = season_dates(local_today())
    start_year = dates["rotations_start_on"].year
    ctx.cycle = Cycle(
        name=f"{start_year}–{start_year + 1}", slug=f"{start_year}-{start_year + 1}", **dates
    )
    db.session.add(ctx.cycle)
    for name, short, address in data.SITES:
        ctx.sites[short] = Site(name=name, short_name=short, address=address)
        db.session.add(ctx.sites[short])
    for slug, name, short, description in data.DEPARTMENTS:
        ctx.departments[slug] = Department(
            name=name,
            slug=slug,
            description=description,
            contact_email=f"{short}.clerkships@keck.example.edu",
        )
        db.session.add(ctx.departments[slug])
    for slug, code, title, site, weeks, prerequisites in data.ROTATIONS:
        rotation = Rotation(
            department=ctx.departments[slug],
            site=ctx.sites[site],
            code=code,
            title=title,
            weeks=weeks,
            description=f"{title} at {ctx.sites[site].name}.",
            prerequisites=prerequisites,
        )
        db.session.add(rotation)
        for month in range(7, 13):
            capacity = ctx.rng.randint(2, 8)
            starts_on = date(start_year, month, 1)
            block = Block(
                rotation=rotation,
                cycle=ctx.cycle,
                starts_on=starts_on,
                ends_on=starts_on + timedelta(days=weeks * 7 - 1),
                capacity=capacity,
                reserved=min(capacity, ctx.rng.randint(1, 2)),
            )
            db.session.add(block)
            ctx.blocks.setdefault(slug, []).append(block)
    db.session.flush()


def _email_name(full_name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", full_name).encode("ascii", "ignore").decode()
    return ".".join(part.lower() for part in ascii_name.replace("-", " ").split())


def _person(
    ctx: DemoContext, email: str, name: str, *roles: tuple[Role, Department | None]
) -> User:
    user = User(
        email=email, full_name=name, password_hash=ctx.password_hash, email_verified_at=utcnow()
    )
    for role, department in roles:
        user.memberships.append(Membership(role=role, department=department))
    db.session.add(user)
    return user


STAFF_NAMES = {
    "emergency-medicine": ("Dr. Elena Ruiz", "Marisol Vega", "Dr. Kevin Obi"),
    "psychiatry": ("Dr. Naomi Feld", "Jasmine Lee", "Dr. Arturo Salas"),
    "internal-medicine": ("Dr. Robert Chang", "Patricia Gomez", "Dr. Aisha Bello"),
    "pediatrics": ("Dr. Laura Whitfield", "Denise Carter", "Dr. Miguel Ángel Soto"),
}


def seed_people(ctx: DemoContext) -> None:
    """An admin, an award committee member, staff of every role per department, students."""
    ctx.password_hash = hash_password(data.DEMO_PASSWORD)
    admin = _person(ctx, "admin@keck.example.edu", "Alex Admin", (Role.ADMIN, None))
    ctx.staff[(Role.ADMIN, None)] = admin
    committee = _person(
        ctx, "award.committee@keck.example.edu", "Dr. Renee Baptiste", (Role.AWARD_COMMITTEE, None)
    )
    ctx.staff[(Role.AWARD_COMMITTEE, None)] = committee
    for slug, department in ctx.departments.items():
        short = next(d[2] for d in data.DEPARTMENTS if d[0] == slug)
        director_name, coordinator_name, reviewer_name = STAFF_NAMES.get(
            slug, (f"{department.name} Director", f"{department.name} Coordinator", "Reviewer")
        )
        # A director usually reviews too (docs/design.md).
        director = _person(
            ctx,
            f"{short}.director@keck.example.edu",
            director_name,
            (Role.DIRECTOR, department),
            (Role.REVIEWER, department),
        )
        coordinator = _person(
            ctx,
            f"{short}.coordinator@keck.example.edu",
            coordinator_name,
            (Role.COORDINATOR, department),
        )
        reviewer = _person(
            ctx, f"{short}.reviewer@keck.example.edu", reviewer_name, (Role.REVIEWER, department)
        )
        ctx.staff[(Role.DIRECTOR, slug)] = director
        ctx.staff[(Role.COORDINATOR, slug)] = coordinator
        ctx.staff[(Role.REVIEWER, slug)] = reviewer
    for index, name in enumerate(data.STUDENT_NAMES):
        school_domain = ("med", "som", "osteo")[index % 3]
        student = _person(
            ctx, f"{_email_name(name)}@{school_domain}.example.edu", name, (Role.STUDENT, None)
        )
        ctx.students.append(student)
    db.session.flush()
    if ctx.scale:
        _seed_synthetic_students(ctx)


def _seed_synthetic_students(ctx: DemoContext) -> None:
    """ctx.scale students inserted in bulk (one shared demo password hash)."""
    now = utcnow()
    rows = [
        {
            "email": f"synthetic.student{i:06d}@scale.example.edu",
            "full_name": f"Synthetic Student {i:06d}",
            "password_hash": ctx.password_hash,
            "session_token": f"synthetic-{i:06d}",
            "active": True,
            "email_verified_at": now,
            "created_at": now,
        }
        for i in range(ctx.scale)
    ]
    db.session.execute(insert(User), rows)
    ids = db.session.scalars(
        select(User.id).where(User.email.like("synthetic.student%")).order_by(User.id)
    ).all()
    db.session.execute(
        insert(Membership),
        [{"user_id": uid, "role": Role.STUDENT, "created_at": now} for uid in ids],
    )
    ctx.synthetic_student_ids = list(ids)


def demo_logins() -> list[tuple[str, str]]:
    """(what, email) of the staff accounts and a few students, read from the database."""
    logins = []
    staff = db.session.scalars(
        select(User).where(User.memberships.any(Membership.role != Role.STUDENT)).order_by(User.id)
    )
    for user in staff:
        logins.append(("; ".join(m.label for m in user.memberships), user.email))
    students = db.session.scalars(
        select(User)
        .where(User.memberships.any(Membership.role == Role.STUDENT))
        .order_by(User.id)
        .limit(3)
    )
    logins += [("Student", user.email) for user in students]
    return logins


# Each feature appends its step; they run in this order.
STEPS: list[Callable[[DemoContext], None]] = [
    seed_catalogue,
    seed_people,
    seed_applications,
    seed_awards,  # after applications: award applicants are students who applied
    seed_reviews,  # after applications: reviewers score what students submitted
    seed_allocation,  # after reviews: the run takes their scores
    seed_interviews,  # after reviews: invitations link to every Emergency Medicine applicant
    seed_rosters,  # after applications and documents: seats offered outside Emergency Medicine
    seed_offer_records,  # seats for the applications walked to Offered or Accepted by hand
    seed_rotations,  # after the seats: first-day information, last season's rotations
    seed_mentorship,  # after placements: students ask for mentors, one is matched
    seed_surveys,  # after last season's rotations: five answers for one, one for another
    seed_outcomes,  # after last season's rotations: two older seasons, every funnel and list
]


def seed_demo(*, scale: int = 0, seed: int = 2027) -> DemoContext:
    """Run every seed step on an empty database; the caller commits."""
    # A seeded generator so the demo season is the same on every machine.
    ctx = DemoContext(rng=random.Random(seed), scale=scale)
    for step in STEPS:
        step(ctx)
        db.session.flush()
        if scale:
            hold_pending_by_id()
            # The session forgets objects nobody holds, but rows built with their relations
            # (a review and its scores) hold each other until a full collection: without
            # one, the next step's services expire and reload tens of thousands of them.
            gc.collect()
    mark_history_delivered()
    fail_one_email()
    return ctx
