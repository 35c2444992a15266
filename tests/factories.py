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


# Award and pathway -----------------------------------------------------------------------
# (The applications feature may bring its own application and profile builders; these are
# named apart so both sets can live here until the lead merges them.)


def make_rotation_application(
    student: User | None = None,
    cycle: Cycle | None = None,
    department: Department | None = None,
    *,
    blocks: tuple = (),
    **fields,
):
    """A rotation application, ranking blocks in the order given."""
    from clerkship.applications.models import Application, ApplicationChoice

    application = Application(
        student=student or make_student(),
        cycle=cycle or make_cycle(),
        department=department or make_department(),
        **fields,
    )
    for rank, block in enumerate(blocks, start=1):
        application.choices.append(ApplicationChoice(block=block, rank=rank))
    db.session.add(application)
    db.session.flush()
    return application


def make_eligible_profile(student: User, cycle: Cycle, **fields):
    """A profile that meets every award rule for cycle (override fields to break one)."""
    from clerkship.applications.models import Accreditation, ExamResult, StudentProfile

    values = dict(
        legal_first_name=student.full_name.split()[0],
        legal_last_name=student.full_name.split()[-1],
        medical_school="Example School of Medicine",
        accreditation=Accreditation.LCME,
        expected_graduation=date(cycle.rotations_end_on.year + 1, 5, 20),
        usmle_step1=ExamResult.PASS,
    )
    values.update(fields)
    profile = StudentProfile(user=student, **values)
    db.session.add(profile)
    db.session.flush()
    return profile


def make_cv(student: User, cycle: Cycle, **fields):
    """A current CV document row (no file: nothing here reads it)."""
    from clerkship.documents.models import Document, DocumentKind

    n = _next()
    values = dict(
        owner=student,
        cycle=cycle,
        kind=DocumentKind.CV,
        original_name=f"cv-{n}.pdf",
        stored_name=f"stored-cv-{n}-{student.id}",
        content_type="application/pdf",
        size_bytes=1234,
        sha256="0" * 64,
    )
    values.update(fields)
    document = Document(**values)
    db.session.add(document)
    db.session.flush()
    return document


def make_award_settings(cycle: Cycle, *, budget: int = 10_000_00, **fields):
    """Award settings: $2,000 for 4 weeks, $1,000 for 2, every rule on, deadline with the cycle's."""
    from clerkship.awards.eligibility import ALL_RULES
    from clerkship.awards.models import AwardAmount, AwardSettings

    values = dict(
        cycle=cycle,
        budget_cents=budget,
        committed_cents=0,
        deadline=cycle.application_deadline,
        essay_prompt="Tell us why.",
        essay_word_limit=500,
        rules=[rule.value for rule in ALL_RULES],
    )
    values.update(fields)
    settings = AwardSettings(**values)
    settings.amounts = [
        AwardAmount(weeks=4, amount_cents=2000_00),
        AwardAmount(weeks=2, amount_cents=1000_00),
    ]
    db.session.add(settings)
    db.session.flush()
    return settings


def make_award_application(application=None, *, state=None, amount: int | None = None, **fields):
    """An award application for a rotation application; in a committed state, the settings' committed
    amount is raised to match (so the budget invariant holds)."""
    from clerkship.awards.eligibility import ALL_RULES, TRUTHFUL
    from clerkship.awards.models import AwardApplication, AwardSettings, AwardState

    application = application or make_rotation_application()
    state = state or AwardState.SUBMITTED
    values = dict(
        student=application.student,
        cycle=application.cycle,
        application=application,
        state=state,
        essay="I want to serve my community.",
        essay_words=6,
        attestations=[r.value for r in ALL_RULES if r.spec.attestation] + [TRUTHFUL],
        submitted_at=None if state is AwardState.DRAFT else utcnow(),
        amount_cents=amount,
    )
    if state is AwardState.ALTERNATE:
        values["alternate_rank"] = 1
    if state is AwardState.PAID:
        values.update(paid_on=local_today(), paid_cents=amount, payment_reference="REF-1")
    values.update(fields)
    award = AwardApplication(**values)
    db.session.add(award)
    committed = {AwardState.AWARDED, AwardState.ROTATION_COMPLETED, AwardState.PAID}
    if state in committed and amount:
        settings = db.session.scalar(
            db.select(AwardSettings).where(AwardSettings.cycle_id == application.cycle.id)
        )
        settings.committed_cents += values.get("paid_cents") or amount
    db.session.flush()
    return award


def make_self_identification(student: User, cycle: Cycle, *, identifies=None, **fields):
    """Answers against the cycle's current definition (the default saved if none)."""
    from clerkship.pathway.models import Identification, SelfIdentification
    from clerkship.pathway.services import ensure_config

    config = ensure_config(cycle, by=None)
    answers = SelfIdentification(
        student=student,
        cycle=cycle,
        config=config,
        identifies=identifies or Identification.YES,
        categories=fields.pop("categories", []),
        criteria=fields.pop("criteria", []),
        **fields,
    )
    db.session.add(answers)
    db.session.flush()
    return answers
