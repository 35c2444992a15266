"""A department with thousands of reviewed applications, inserted in bulk for the benchmarks.

Kept apart from `flask demo seed --scale` (extended in parallel by the applications
feature) so the two merge without conflict. Everything goes in with executemany
inserts: 5,000 applications, 10,000 reviews and 50,000 scores take a few seconds.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask import Flask
from sqlalchemy import insert, select

from clerkship.accounts.models import Membership, Role, User
from clerkship.accounts.passwords import hash_password
from clerkship.applications.models import (
    Accreditation,
    Application,
    ApplicationChoice,
    ApplicationState,
    StudentProfile,
)
from clerkship.bench.harness import bench_app
from clerkship.core.time import local_today, utcnow
from clerkship.cycles.models import Block, Cycle, Department, Rotation, Site
from clerkship.extensions import db
from clerkship.reviews.models import (
    CriterionLevel,
    Purpose,
    ReviewerCap,
    ReviewerProfile,
    ReviewRound,
    Rubric,
    RubricCriterion,
)
from clerkship.reviews.ranking.scoring import Criterion, score_review
from clerkship.reviews.ranking.scoring import Rubric as PureRubric
from clerkship.reviews.records import (
    AssignmentMethod,
    Recommendation,
    Review,
    ReviewAssignment,
    ReviewScore,
    ReviewState,
)

DIRECTOR = "bench.director@keck.example.edu"
WEIGHTS = (3, 2, 2, 1, 2)


@dataclass(frozen=True)
class ReviewBench:
    """The app over the seeded database and who to sign in as."""

    app: Flask
    director: str
    reviewer: str
    slug: str
    applications: int


def _rows(model, rows: list[dict]) -> None:
    if rows:
        db.session.execute(insert(model), rows)


def seed_review_department(
    applications: int,
    *,
    reviewers: int = 40,
    per_application: int = 2,
    seed: int = 2027,
    reviewed: bool = True,
) -> None:
    """One department and cycle: applications, reviewers, a 5-criterion rubric, all reviewed
    (reviewed=False: a started round with nobody assigned yet)."""
    rng = random.Random(seed)
    now, today = utcnow(), local_today()
    password = hash_password(secrets.token_urlsafe(12))
    year = today.year + 1
    cycle = Cycle(
        name=f"{year}–{year + 1}",
        slug=f"{year}-{year + 1}",
        catalogue_opens_on=today - timedelta(days=30),
        applications_open_on=today - timedelta(days=20),
        application_deadline=today + timedelta(days=30),
        offers_released_on=today + timedelta(days=45),
        rotations_start_on=date(year, 7, 1),
        rotations_end_on=date(year, 12, 31),
    )
    department = Department(
        name="Emergency Medicine",
        slug="emergency-medicine",
        reviewers_per_application=per_application,
    )
    rotation = Rotation(
        department=department,
        site=Site(name="LA General"),
        code="EM-401",
        title="EM Sub-I",
        weeks=4,
    )
    blocks = [
        Block(
            rotation=rotation,
            cycle=cycle,
            starts_on=date(year, m, 1),
            ends_on=date(year, m, 28),
            capacity=6,
            reserved=2,
        )
        for m in range(7, 13)
    ]
    db.session.add_all([cycle, department, rotation, *blocks])
    db.session.flush()

    staff = [{"email": DIRECTOR, "full_name": "Dr. Bench Director"}] + [
        {"email": f"bench.reviewer{j:02d}@keck.example.edu", "full_name": f"Dr. Reviewer {j:02d}"}
        for j in range(reviewers)
    ]
    students = [
        {"email": f"bench.student{i:05d}@scale.example.edu", "full_name": f"Student {i:05d}"}
        for i in range(applications)
    ]
    common = {
        "password_hash": password,
        "active": True,
        "email_verified_at": now,
        "created_at": now,
    }
    _rows(
        User, [{**p, **common, "session_token": secrets.token_urlsafe(8)} for p in staff + students]
    )
    ids = dict(
        db.session.execute(select(User.email, User.id).where(User.email.like("bench.%"))).all()
    )
    director_id = ids[DIRECTOR]
    reviewer_ids = [ids[p["email"]] for p in staff[1:]]
    student_ids = [ids[p["email"]] for p in students]
    memberships = (
        [
            {
                "user_id": director_id,
                "role": Role.DIRECTOR,
                "department_id": department.id,
                "created_at": now,
            }
        ]
        + [
            {"user_id": r, "role": Role.REVIEWER, "department_id": department.id, "created_at": now}
            for r in reviewer_ids
        ]
        + [
            {"user_id": s, "role": Role.STUDENT, "department_id": None, "created_at": now}
            for s in student_ids
        ]
    )
    _rows(Membership, memberships)
    _rows(
        StudentProfile,
        [
            {
                "user_id": s,
                "legal_first_name": f"First{i:05d}",
                "legal_last_name": f"Last{i:05d}",
                "medical_school": f"School {i % 60}",
                "accreditation": Accreditation.COCA if i % 5 == 0 else Accreditation.LCME,
                "version": 1,
                "updated_at": now,
            }
            for i, s in enumerate(student_ids)
        ],
    )
    _rows(
        Application,
        [
            {
                "student_id": s,
                "cycle_id": cycle.id,
                "department_id": department.id,
                "state": ApplicationState.UNDER_REVIEW,
                "personal_statement": "",
                "in_pathway": i % 4 == 0,
                "submitted_at": now,
                "scored_at": now if reviewed and per_application else None,  # reviews below
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
            for i, s in enumerate(student_ids)
        ],
    )
    application_ids = list(
        db.session.scalars(
            select(Application.id)
            .where(Application.department_id == department.id)
            .order_by(Application.id)
        )
    )
    _rows(
        ApplicationChoice,
        [
            {"application_id": a, "block_id": blocks[(i + rank) % len(blocks)].id, "rank": rank + 1}
            for i, a in enumerate(application_ids)
            for rank in range(3)
        ],
    )
    if reviewed:
        _seed_reviews(
            rng, department, cycle, director_id, reviewer_ids, application_ids, per_application
        )
    else:
        _seed_unassigned_round(department, cycle, reviewer_ids)


def _seed_unassigned_round(department, cycle, reviewer_ids) -> None:
    """A round to assign: each reviewer shares a school with 1 applicant in 60 (a conflict),
    and four reviewers have caps, some below the even share (as in the pure benchmark)."""
    review_round = ReviewRound(purpose=Purpose.APPLICATION, department=department, cycle=cycle)
    db.session.add(review_round)
    db.session.flush()
    _rows(
        ReviewerProfile,
        [
            {"user_id": r, "schools": f"School {j}", "updated_at": utcnow(), "version": 1}
            for j, r in enumerate(reviewer_ids)
        ],
    )
    _rows(
        ReviewerCap,
        [
            {"round_id": review_round.id, "reviewer_id": r, "cap": cap}
            for r, cap in zip(reviewer_ids, (100, 150, 200, 300), strict=False)
        ],
    )


def _seed_reviews(rng, department, cycle, director_id, reviewer_ids, application_ids, k) -> None:
    now = utcnow()
    review_round = ReviewRound(purpose=Purpose.APPLICATION, department=department, cycle=cycle)
    rubric = Rubric(
        round=review_round,
        number=1,
        title="Bench rubric",
        scale_low=1,
        scale_high=5,
        created_by_id=director_id,
    )
    for position, weight in enumerate(WEIGHTS, start=1):
        criterion = RubricCriterion(
            position=position,
            key=f"c{position}",
            name=f"Criterion {position}",
            weight=Decimal(weight),
        )
        criterion.levels = [CriterionLevel(level=n, description=f"Level {n}") for n in range(1, 6)]
        rubric.criteria.append(criterion)
    db.session.add_all([review_round, rubric])
    db.session.flush()
    pure = PureRubric(tuple(Criterion(str(c.id), c.weight) for c in rubric.criteria))
    criterion_ids = [c.id for c in rubric.criteria]
    lean = {r: rng.uniform(-0.8, 0.8) for r in reviewer_ids}
    assignments = []
    for i, a in enumerate(application_ids):
        for step in range(k):
            assignments.append(
                {
                    "round_id": review_round.id,
                    "reviewer_id": reviewer_ids[(i * k + step) % len(reviewer_ids)],
                    "application_id": a,
                    "due_on": local_today() + timedelta(days=14),
                    "method": AssignmentMethod.AUTOMATIC,
                    "assigned_at": now,
                    "assigned_by_id": director_id,
                    "submitted_at": now,  # each gets a submitted review below
                }
            )
    _rows(ReviewAssignment, assignments)
    rows = db.session.execute(
        select(ReviewAssignment.id, ReviewAssignment.reviewer_id, ReviewAssignment.application_id)
        .where(ReviewAssignment.round_id == review_round.id)
        .order_by(ReviewAssignment.id)
    ).all()
    truth = {a: rng.uniform(1.5, 4.5) for a in application_ids}
    reviews, levels_by_assignment = [], {}
    for assignment_id, reviewer_id, application_id in rows:
        levels = {
            str(c): min(
                5, max(1, round(truth[application_id] + lean[reviewer_id] + rng.uniform(-0.6, 0.6)))
            )
            for c in criterion_ids
        }
        levels_by_assignment[assignment_id] = levels
        reviews.append(
            {
                "assignment_id": assignment_id,
                "rubric_id": rubric.id,
                "state": ReviewState.SUBMITTED,
                "recommendation": Recommendation.RECOMMEND,
                "comments": "",
                "composite": score_review(pure, levels),
                "submitted_at": now,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
    _rows(Review, reviews)
    review_ids = dict(
        db.session.execute(
            select(Review.assignment_id, Review.id).where(Review.rubric_id == rubric.id)
        ).all()
    )
    _rows(
        ReviewScore,
        [
            {"review_id": review_ids[assignment_id], "criterion_id": int(c), "level": level}
            for assignment_id, levels in levels_by_assignment.items()
            for c, level in levels.items()
        ],
    )


_APPS: dict[tuple[int, bool], ReviewBench] = {}


def review_bench(applications: int, *, reviewed: bool = True) -> ReviewBench:
    """An app on a temporary SQLite database holding the seeded department (made once)."""
    if (applications, reviewed) in _APPS:
        return _APPS[(applications, reviewed)]
    app = bench_app(f"reviews-bench-{applications}")
    with app.app_context():
        seed_review_department(applications, reviewed=reviewed)
        db.session.commit()
    app.logger.disabled = True
    _APPS[(applications, reviewed)] = ReviewBench(
        app=app,
        director=DIRECTOR,
        reviewer="bench.reviewer00@keck.example.edu",
        slug="emergency-medicine",
        applications=applications,
    )
    return _APPS[(applications, reviewed)]
