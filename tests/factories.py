"""Builders of test records (CTFd's gen_* idea): sensible defaults, everything overridable."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from clerkship.accounts.models import Membership, Role, User
from clerkship.accounts.passwords import hash_password
from clerkship.core.time import local_today, utcnow
from clerkship.cycles.models import Block, Cycle, Department, Rotation, Site
from clerkship.extensions import db

PASSWORD = "a-long-test-password"
_counter = itertools.count(1)
_password_hash: str | None = None


def _next() -> int:
    return next(_counter)


def make_user(
    *roles: Role | tuple[Role, Department],
    email: str | None = None,
    full_name: str | None = None,
    verified: bool = True,
    password: str | None = PASSWORD,
    **fields,
) -> User:
    """A user holding roles; (role, department) for departmental roles."""
    global _password_hash
    n = _next()
    if password == PASSWORD:
        _password_hash = _password_hash or hash_password(PASSWORD)
        password_hash = _password_hash
    else:
        password_hash = hash_password(password) if password else None
    user = User(
        email=email or f"person{n}@example.org",
        full_name=full_name or f"Person {n}",
        password_hash=password_hash,
        email_verified_at=utcnow() if verified else None,
        **fields,
    )
    for role in roles:
        role, department = role if isinstance(role, tuple) else (role, None)
        user.memberships.append(Membership(role=role, department=department))
    db.session.add(user)
    db.session.flush()
    return user


def make_student(**fields) -> User:
    """A verified student."""
    return make_user(Role.STUDENT, **fields)


def make_cycle(open_now: bool = True, **fields) -> Cycle:
    """A cycle whose application window is open today (unless open_now is False)."""
    n = _next()
    today = local_today()
    year = today.year + 1
    values = dict(
        name=f"{year}–{year + 1} #{n}",
        slug=f"{year}-{year + 1}-{n}",
        catalogue_opens_on=today - timedelta(days=30),
        applications_open_on=today - timedelta(days=10) if open_now else today + timedelta(days=5),
        application_deadline=today + timedelta(days=30),
        offers_released_on=today + timedelta(days=45),
        rotations_start_on=date(year, 7, 1),
        rotations_end_on=date(year, 12, 31),
    )
    values.update(fields)
    cycle = Cycle(**values)
    db.session.add(cycle)
    db.session.flush()
    return cycle


def make_department(**fields) -> Department:
    n = _next()
    values = dict(name=f"Department {n}", slug=f"department-{n}", description="")
    values.update(fields)
    department = Department(**values)
    db.session.add(department)
    db.session.flush()
    return department


def make_site(**fields) -> Site:
    n = _next()
    values = dict(name=f"Site {n}", short_name=f"S{n}", address="")
    values.update(fields)
    site = Site(**values)
    db.session.add(site)
    db.session.flush()
    return site


def make_rotation(
    department: Department | None = None, site: Site | None = None, **fields
) -> Rotation:
    n = _next()
    values = dict(code=f"R-{n}", title=f"Rotation {n}", weeks=4)
    values.update(fields)
    rotation = Rotation(
        department=department or make_department(), site=site or make_site(), **values
    )
    db.session.add(rotation)
    db.session.flush()
    return rotation


def make_block(
    rotation: Rotation | None = None,
    cycle: Cycle | None = None,
    *,
    month: int = 7,
    capacity: int = 4,
    reserved: int = 1,
    **fields,
) -> Block:
    """A four-week block starting on the first of month in the cycle's rotation year."""
    cycle = cycle or make_cycle()
    starts_on = fields.pop("starts_on", date(cycle.rotations_start_on.year, month, 1))
    ends_on = fields.pop("ends_on", starts_on + timedelta(days=27))
    block = Block(
        rotation=rotation or make_rotation(),
        cycle=cycle,
        starts_on=starts_on,
        ends_on=ends_on,
        capacity=capacity,
        reserved=reserved,
        **fields,
    )
    db.session.add(block)
    db.session.flush()
    return block


# Reviews ---------------------------------------------------------------------------------


def make_applicant(
    department: Department,
    cycle: Cycle,
    *,
    school: str = "Some Medical School",
    state=None,
    in_pathway: bool = False,
    accreditation=None,
    blocks=(),
    **profile_fields,
):
    """A student with a profile and an application to department, submitted by default."""
    from clerkship.applications.models import (
        Accreditation,
        Application,
        ApplicationChoice,
        ApplicationState,
        StudentProfile,
    )

    n = _next()
    student = make_student(full_name=f"Applicant {n}", email=f"applicant{n}@med.example.edu")
    profile_values = dict(
        legal_first_name=f"First{n}",
        legal_last_name=f"Last{n}",
        pronouns="she/her",
        medical_school=school,
        accreditation=accreditation or Accreditation.LCME,
    )
    profile_values.update(profile_fields)
    db.session.add(StudentProfile(user=student, **profile_values))
    application = Application(
        student=student,
        cycle=cycle,
        department=department,
        state=state or ApplicationState.SUBMITTED,
        personal_statement=f"Statement of applicant {n}.",
        in_pathway=in_pathway,
        submitted_at=utcnow(),
    )
    for rank, block in enumerate(blocks, start=1):
        application.choices.append(ApplicationChoice(block=block, rank=rank))
    db.session.add(application)
    db.session.flush()
    return application


def make_review_round(department: Department | None, cycle: Cycle, **fields):
    """A started review round (department None: the award's)."""
    from clerkship.reviews.models import Purpose, ReviewRound

    review_round = ReviewRound(
        department=department,
        cycle=cycle,
        purpose=Purpose.AWARD if department is None else Purpose.APPLICATION,
        **fields,
    )
    db.session.add(review_round)
    db.session.flush()
    return review_round


def make_rubric(review_round, weights=(3, 2, 1), *, low: int = 1, high: int = 5, insufficient=()):
    """A rubric version with one criterion per weight, every level described."""
    from decimal import Decimal

    from clerkship.reviews.models import CriterionLevel, Rubric, RubricCriterion

    number = 1 + len([r for r in db.session.query(Rubric).filter_by(round_id=review_round.id)])
    rubric = Rubric(
        round_id=review_round.id, number=number, title="Rubric", scale_low=low, scale_high=high
    )
    for position, weight in enumerate(weights, start=1):
        criterion = RubricCriterion(
            position=position,
            key=f"c{position}",
            name=f"Criterion {position}",
            weight=Decimal(weight),
            allows_insufficient=position in insufficient,
        )
        criterion.levels = [
            CriterionLevel(level=level, description=f"Behaviour for level {level}")
            for level in range(low, high + 1)
        ]
        rubric.criteria.append(criterion)
    db.session.add(rubric)
    db.session.flush()
    return rubric


def make_reviewer(department: Department | None, *, schools: str = "", **fields) -> User:
    """A reviewer of department (None: an award committee member), with their schools."""
    from clerkship.reviews.models import ReviewerProfile

    role = Role.AWARD_COMMITTEE if department is None else (Role.REVIEWER, department)
    user = make_user(role, **fields)
    if schools:
        db.session.add(ReviewerProfile(user_id=user.id, schools=schools))
        db.session.flush()
    return user


def make_assignment(review_round, application, reviewer: User, **fields):
    from clerkship.reviews.records import AssignmentMethod, ReviewAssignment

    values = dict(method=AssignmentMethod.MANUAL, due_on=review_round.due_on)
    values.update(fields)
    assignment = ReviewAssignment(
        round_id=review_round.id, application=application, reviewer=reviewer, **values
    )
    db.session.add(assignment)
    db.session.flush()
    return assignment


def make_review(
    assignment, rubric, levels, *, submitted: bool = True, recommendation=None, comments=""
):
    """A review with levels given in criterion order (None: insufficient evidence)."""
    from clerkship.reviews import review_services
    from clerkship.reviews.records import Recommendation, Review, ReviewScore, ReviewState
    from clerkship.reviews.scoring import score_review

    review = Review(
        assignment=assignment,
        rubric=rubric,
        state=ReviewState.SUBMITTED if submitted else ReviewState.DRAFT,
        comments=comments,
        recommendation=recommendation or (Recommendation.RECOMMEND if submitted else None),
        submitted_at=utcnow() if submitted else None,
    )
    db.session.add(review)
    for criterion, level in zip(rubric.criteria, levels, strict=False):
        review.scores.append(ReviewScore(criterion_id=criterion.id, level=level))
    if submitted:
        review.composite = score_review(
            review_services.pure_rubric(rubric),
            {str(c.id): level for c, level in zip(rubric.criteria, levels, strict=False)},
        )
    db.session.add(review)
    db.session.flush()
    return review
