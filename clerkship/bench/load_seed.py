"""The season the load benchmark serves: one department of N reviewed applications, a run.

Built on the reviews benchmark's bulk seed (`review_seed.seed_review_department`: the
department, 6 blocks, N applications ranking blocks, 40 reviewers, 2 submitted reviews
each), plus a coordinator, an administrator, a known password for the accounts the load
generator signs in as, and an allocation run started through `allocation.services`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from clerkship.accounts.models import Membership, Role, User
from clerkship.accounts.passwords import hash_password
from clerkship.bench.review_seed import DIRECTOR, seed_review_department
from clerkship.cycles.models import Cycle, Department
from clerkship.extensions import db

# A throwaway benchmark database on 127.0.0.1.
PASSWORD = "bench-load-password-2027"  # noqa: S105  # nosec B105
COORDINATOR = "bench.coordinator@keck.example.edu"
ADMIN = "bench.admin@keck.example.edu"
REVIEWER = "bench.reviewer00@keck.example.edu"
STUDENT = "bench.student00000@scale.example.edu"
SLUG = "emergency-medicine"


@dataclass(frozen=True)
class LoadSeason:
    """What the load generator needs to know of the seeded season."""

    run_id: int
    cycle_slug: str
    sign_in_emails: list[str]


def seed_load_season(applications: int, sign_ins: int) -> LoadSeason:
    """Seed the season (inside an app context and a request context); commit."""
    from clerkship.allocation.services import start_run
    from clerkship.reviews.queries import application_scores
    from clerkship.reviews.ranking import composites
    from clerkship.reviews.rounds.services import find_round

    seed_review_department(applications)
    department = db.session.scalar(select(Department).where(Department.slug == SLUG))
    for email, name, role in (
        (COORDINATOR, "Bench Coordinator", Role.COORDINATOR),
        (ADMIN, "Bench Administrator", Role.ADMIN),
    ):
        user = User(email=email, full_name=name, active=True)
        user.memberships.append(
            Membership(role=role, department=department if role != Role.ADMIN else None)
        )
        db.session.add(user)
    db.session.flush()
    students = [f"bench.student{i:05d}@scale.example.edu" for i in range(1, sign_ins + 1)]
    known = [DIRECTOR, COORDINATOR, ADMIN, REVIEWER, STUDENT, *students]
    db.session.execute(
        update(User).where(User.email.in_(known)).values(password_hash=hash_password(PASSWORD))
    )
    db.session.execute(
        update(User)
        .where(User.email.in_([COORDINATOR, ADMIN]))
        .values(email_verified_at=db.session.scalar(select(User.email_verified_at).limit(1)))
    )
    cycle = db.session.scalar(select(Cycle))
    director = db.session.scalar(select(User).where(User.email == DIRECTOR))
    # The reviews went in by bulk insert, past the services that keep the composites.
    composites.refresh(find_round(department, cycle))
    run = start_run(
        department,
        cycle,
        scores=application_scores(department, cycle),
        score_source="raw",
        by=director,
    )
    db.session.commit()
    return LoadSeason(run_id=run.id, cycle_slug=cycle.slug, sign_in_emails=students)
