"""Builders of test records (CTFd's gen_* idea): sensible defaults, everything overridable."""

from __future__ import annotations

import itertools
from datetime import date, time, timedelta

import pyotp

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


def enrol_two_factor(user: User) -> str:
    """Turn on user's second factor with a fresh secret; the secret, for current_code()."""
    secret = pyotp.random_base32(32)
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    db.session.flush()
    return secret


def current_code(secret: str) -> str:
    """The code an authenticator app holding secret shows now (the clock may be frozen)."""
    return pyotp.TOTP(secret).now()


def sign_in_with_code(client, email: str, secret: str, password: str = PASSWORD, **extra) -> None:
    """Sign in through both forms: password, then the code of the app holding secret."""
    data = {"email": email, "password": password}
    response = client.post("/login", data=data, **extra)
    assert response.headers["Location"] == "/login/code"
    response = client.post("/login/code", data={"code": current_code(secret)}, **extra)
    assert response.status_code == 302


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


# Applications, documents and letters ----------------------------------------------------

import io  # noqa: E402
import secrets  # noqa: E402

from werkzeug.datastructures import FileStorage  # noqa: E402

from clerkship.applications.models import (  # noqa: E402
    Accreditation,
    Application,
    ApplicationChoice,
    ApplicationEvent,
    ApplicationState,
    ExamResult,
    StudentProfile,
)
from clerkship.demo.pdf import make_pdf  # noqa: E402
from clerkship.documents.models import Document, DocumentKind  # noqa: E402
from clerkship.documents.storage import save_upload  # noqa: E402
from clerkship.letters.models import LetterRequest, LetterState  # noqa: E402
from clerkship.letters.queries import token_hash  # noqa: E402


def pdf_upload(name: str = "cv.pdf", content: bytes | None = None) -> FileStorage:
    """An uploaded file as Flask hands it to a view."""
    data = make_pdf(["Test document", name]) if content is None else content
    return FileStorage(io.BytesIO(data), filename=name, content_type="application/pdf")


def make_profile(student: User, **fields) -> StudentProfile:
    """A complete profile; graduation two years ahead, after any block of a test cycle."""
    values = dict(
        legal_first_name="Amara",
        legal_last_name="Okafor",
        phone="213 555 0100",
        address_line1="1 Main St",
        city="Los Angeles",
        region="CA",
        postal_code="90033",
        country="United States",
        medical_school="Howard University College of Medicine",
        accreditation=Accreditation.LCME,
        expected_graduation=date(local_today().year + 3, 5, 20),
        aamc_id="12345678",
        usmle_step1=ExamResult.PASS,
    )
    values.update(fields)
    profile = StudentProfile(user=student, **values)
    db.session.add(profile)
    db.session.flush()
    return profile


def make_application(
    student: User | None = None,
    department: Department | None = None,
    cycle: Cycle | None = None,
    *,
    blocks: list[Block] | tuple[Block, ...] = (),
    state: ApplicationState = ApplicationState.DRAFT,
    statement: str = "",
    **fields,
) -> Application:
    """An application with ranked blocks, put straight into state (with its timeline).

    Department and cycle default to those of the first block, when blocks are given.
    """
    department = department or (blocks[0].rotation.department if blocks else make_department())
    cycle = cycle or (blocks[0].cycle if blocks else make_cycle())
    application = Application(
        student=student or make_student(),
        department=department,
        cycle=cycle,
        state=state,
        personal_statement=statement,
        submitted_at=None if state == ApplicationState.DRAFT else utcnow(),
        **fields,
    )
    for rank, block in enumerate(blocks, start=1):
        application.choices.append(ApplicationChoice(block=block, rank=rank))
    application.events.append(ApplicationEvent(from_state=None, to_state=ApplicationState.DRAFT))
    if state != ApplicationState.DRAFT:
        application.events.append(
            ApplicationEvent(from_state=ApplicationState.DRAFT, to_state=state)
        )
    db.session.add(application)
    db.session.flush()
    return application


def make_document(
    student: User,
    cycle: Cycle,
    kind: DocumentKind = DocumentKind.CV,
    *,
    expires_on: date | None = None,
    name: str | None = None,
) -> Document:
    """A current document with a real stored PDF."""
    stored = save_upload(pdf_upload(name or f"{kind.value}.pdf"), kind=kind)
    if kind.expires and expires_on is None:
        expires_on = date(cycle.rotations_end_on.year + 1, 6, 30)
    document = Document(
        owner=student,
        cycle=cycle,
        kind=kind,
        **stored.document_fields,
        expires_on=expires_on,
    )
    db.session.add(document)
    db.session.flush()
    return document


def make_letter(
    student: User,
    cycle: Cycle,
    *,
    received: bool = False,
    waived: bool = True,
    token: str | None = None,
    expires_in: timedelta = timedelta(days=14),
    **fields,
) -> LetterRequest:
    """A letter request (token known to the test when given), received with a PDF if asked."""
    n = _next()
    letter = LetterRequest(
        student=student,
        cycle=cycle,
        writer_name=fields.pop("writer_name", f"Dr. Writer {n}"),
        writer_email=fields.pop("writer_email", f"writer{n}@example.org"),
        waived=waived,
        token_hash=token_hash(token or secrets.token_urlsafe(16)),
        link_expires_at=utcnow() + expires_in,
        **fields,
    )
    if received:
        letter.document = make_document_of_letter(student, cycle)
        letter.state = LetterState.RECEIVED
        letter.received_at = utcnow()
    db.session.add(letter)
    db.session.flush()
    return letter


def make_document_of_letter(student: User, cycle: Cycle) -> Document:
    stored = save_upload(pdf_upload("letter.pdf"), kind=DocumentKind.LETTER)
    document = Document(
        owner=student,
        cycle=cycle,
        kind=DocumentKind.LETTER,
        **stored.document_fields,
    )
    db.session.add(document)
    db.session.flush()
    return document


def make_complete_draft(
    student: User | None = None, department: Department | None = None, cycle: Cycle | None = None
) -> Application:
    """A draft that meets every submission rule of a department with default settings."""
    cycle = cycle or make_cycle()
    department = department or make_department()
    student = student or make_student()
    rotation = make_rotation(department)
    blocks = [make_block(rotation, cycle, month=m) for m in (7, 8, 9)]
    make_profile(student)
    for kind in (
        DocumentKind.CV,
        DocumentKind.TRANSCRIPT,
        DocumentKind.GOOD_STANDING,
        DocumentKind.IMMUNIZATIONS,
        DocumentKind.BLS,
        DocumentKind.TB_SCREEN,
    ):
        make_document(student, cycle, kind)
    make_letter(student, cycle, received=True)
    return make_application(
        student, department, cycle, blocks=blocks, statement="I want to learn emergency medicine."
    )


# Interviews --------------------------------------------------------------------------


def make_submitted_application(
    student=None, department=None, cycle=None, *, in_pathway=False, state=None
):
    """An application offered a rotation (the kind an interview season invites by default)."""
    return make_application(
        student, department, cycle, in_pathway=in_pathway, state=state or ApplicationState.OFFERED
    )


def make_season(department: Department | None = None, cycle: Cycle | None = None, **fields):
    """An interview season, first come first served unless booking_mode says otherwise."""
    from clerkship.interviews.models import InterviewSeason

    season = InterviewSeason(
        department=department or make_department(), cycle=cycle or make_cycle(), **fields
    )
    db.session.add(season)
    db.session.flush()
    return season


def make_day(
    season=None,
    *,
    days_ahead: int = 14,
    hour: int = 8,
    hours: int = 4,
    capacity: int = 10,
    reserved: bool = False,
    virtual: bool = False,
    **fields,
):
    """An interview day days_ahead from today, from hour (local) for hours."""
    from clerkship.core.time import local_datetime
    from clerkship.interviews.models import DayFormat, InterviewDay

    on = local_today() + timedelta(days=days_ahead)
    values = dict(
        starts_at=local_datetime(on, time(hour, 0)),
        ends_at=local_datetime(on, time(hour + hours, 0)),
        format=DayFormat.VIRTUAL if virtual else DayFormat.IN_PERSON,
        location="" if virtual else "LA General, Room 1011",
        meeting_link="https://meet.example.org/em-interviews" if virtual else "",
        capacity=capacity,
        reserved=reserved,
    )
    values.update(fields)
    day = InterviewDay(season=season or make_season(), **values)
    db.session.add(day)
    db.session.flush()
    return day


def make_invitation(season=None, student: User | None = None, *, pathway: bool = False, **fields):
    """An invitation from an imported list (pathway as the list said), or of an application."""
    from clerkship.interviews.models import Invitation, InvitationSource

    season = season or make_season()
    application = fields.pop("application", None)
    student = student or (application.student if application else make_student())
    values = dict(
        full_name=student.full_name,
        email=student.email,
        reply_by=utcnow() + timedelta(days=7),
    )
    if application is not None:
        values.update(source=InvitationSource.APPLICATION, application=application)
    else:
        values.update(
            source=InvitationSource.IMPORT, imported_pathway=pathway, aamc_id=f"{_next():08d}"
        )
    values.update(fields)
    invitation = Invitation(season=season, student=student, **values)
    db.session.add(invitation)
    db.session.flush()
    return invitation


def make_booking(invitation, day, **fields):
    """A current booking of invitation on day, counted in the day's taken seats."""
    from clerkship.interviews.models import Booking, InvitationState

    booking = Booking(invitation=invitation, day=day, in_pathway=invitation.in_pathway, **fields)
    day.taken += 1
    invitation.state = InvitationState.ACCEPTED
    db.session.add(booking)
    db.session.flush()
    return booking


# Award and pathway -----------------------------------------------------------------------


def make_rotation_application(
    student: User | None = None,
    cycle: Cycle | None = None,
    department: Department | None = None,
    *,
    blocks: tuple = (),
    **fields,
):
    """A rotation application (cycle before department, as the award tests call it)."""
    return make_application(student, department, cycle, blocks=blocks, **fields)


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
        stored_name=f"{secrets.token_hex(16)}.pdf",
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
    n = _next()
    student = make_student(full_name=f"Applicant {n}", email=f"applicant{n}@med.example.edu")
    values = dict(
        legal_first_name=f"First{n}",
        legal_last_name=f"Last{n}",
        pronouns="she/her",
        medical_school=school,
        accreditation=accreditation or Accreditation.LCME,
    )
    values.update(profile_fields)
    make_profile(student, **values)
    return make_application(
        student,
        department,
        cycle,
        blocks=blocks,
        state=state or ApplicationState.SUBMITTED,
        statement=f"Statement of applicant {n}.",
        in_pathway=in_pathway,
    )


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
    from clerkship.reviews.assignment.services import mark_scored
    from clerkship.reviews.ranking.scoring import score_review
    from clerkship.reviews.records import Recommendation, Review, ReviewScore, ReviewState
    from clerkship.reviews.reviewing import services as review_services

    review = Review(
        assignment=assignment,
        rubric=rubric,
        state=ReviewState.SUBMITTED if submitted else ReviewState.DRAFT,
        comments=comments,
        recommendation=recommendation or (Recommendation.RECOMMEND if submitted else None),
        submitted_at=utcnow() if submitted else None,
    )
    assignment.submitted_at = review.submitted_at
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
    mark_scored([assignment.application_id])
    return review


# Rosters ---------------------------------------------------------------------------------


def make_placement(application, block=None, *, seat_type=None, offer_state=None, in_pathway=None):
    """A held placement with its offer (pending unless said), counted on the block's seats."""
    from clerkship.allocation.engine import SeatType
    from clerkship.allocation.models import Placement
    from clerkship.offers.models import Offer, OfferState

    block = block or application.choices[0].block
    seat_type = seat_type or SeatType.OPEN
    placement = Placement(
        application=application,
        block=block,
        seat_type=seat_type,
        in_pathway=application.in_pathway if in_pathway is None else in_pathway,
    )
    if seat_type == SeatType.OPEN:
        block.open_taken += 1
    else:
        block.reserved_taken += 1
    offer = Offer(
        placement=placement,
        application=application,
        state=offer_state or OfferState.PENDING,
        expires_at=utcnow() + timedelta(days=7),
    )
    db.session.add_all([placement, offer])
    db.session.flush()
    return placement


# Rotations -------------------------------------------------------------------------------


def make_rotation_record(placement, *, state=None, arrived_on=None, ended_on=None, reason=""):
    """What the coordinator recorded of a placement's rotation, written straight to the row
    (arrived on the block's first day; a completed or ended one ends on ended_on or the
    block's last day)."""
    from clerkship.rotations.models import RotationRecord, RotationState

    state = state or RotationState.ARRIVED
    block = placement.block
    ended = state is not RotationState.ARRIVED
    record = RotationRecord(
        placement=placement,
        state=state,
        arrived_on=arrived_on or block.starts_on,
        ended_on=(ended_on or block.ends_on) if ended else None,
        end_reason=reason or ("Family emergency." if state is RotationState.ENDED_EARLY else ""),
        end_recorded_at=utcnow() if ended else None,
    )
    db.session.add(record)
    db.session.flush()
    return record


def make_placed_student(block, *, student=None, state=None):
    """An accepted application holding a seat in block (its accepted offer included)."""
    from clerkship.offers.models import OfferState

    application = make_application(
        student, blocks=[block], state=state or ApplicationState.ACCEPTED
    )
    placement = make_placement(application, block, offer_state=OfferState.ACCEPTED)
    return application, placement
