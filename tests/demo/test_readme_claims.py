"""Every statement README.md makes about the demo season, checked against the demo."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from clerkship.accounts.models import Membership, Role, User
from clerkship.accounts.passwords import verify_password
from clerkship.allocation.models import AllocationRun, Placement, PlacementState, RunState
from clerkship.allocation.queries import publish_override
from clerkship.applications.models import Application
from clerkship.cycles.models import Department
from clerkship.demo.allocation import OVERRIDE_REASON
from clerkship.documents.models import Document
from clerkship.extensions import db
from clerkship.interviews.models import (
    Booking,
    BookingMode,
    BookingState,
    InterviewDay,
    InterviewSeason,
    Invitation,
    InvitationSource,
    WaitlistEntry,
    WaitlistState,
)
from clerkship.offers.models import Offer, OfferState, SeatMove
from tests.conftest import login

PASSWORD = "visiting-clerkship-demo"
AMARA = "amara.okafor@med.example.edu"
LUIS = "luis.hernandez@som.example.edu"
NIA = "nia.thompson@med.example.edu"


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def roles(email: str) -> set[tuple[Role, str | None]]:
    """(role, department slug or None) of the account."""
    return {(m.role, m.department.slug if m.department else None) for m in user(email).memberships}


def em() -> Department:
    return db.session.scalar(select(Department).where(Department.slug == "emergency-medicine"))


def test_readme_logins_exist_with_their_roles_and_the_demo_password(app, demo_season):
    staff = {
        "admin@keck.example.edu": {(Role.ADMIN, None)},
        "award.committee@keck.example.edu": {(Role.AWARD_COMMITTEE, None)},
        "em.director@keck.example.edu": {
            (Role.DIRECTOR, "emergency-medicine"),
            (Role.REVIEWER, "emergency-medicine"),
        },
        "em.coordinator@keck.example.edu": {(Role.COORDINATOR, "emergency-medicine")},
        "em.reviewer@keck.example.edu": {(Role.REVIEWER, "emergency-medicine")},
    }
    for email, expected in staff.items():
        assert roles(email) == expected, email
        assert email in demo_season
    for prefix, slug in (
        ("psych", "psychiatry"),
        ("im", "internal-medicine"),
        ("peds", "pediatrics"),
    ):
        assert (Role.DIRECTOR, slug) in roles(f"{prefix}.director@keck.example.edu")
        assert roles(f"{prefix}.coordinator@keck.example.edu") == {(Role.COORDINATOR, slug)}
        assert roles(f"{prefix}.reviewer@keck.example.edu") == {(Role.REVIEWER, slug)}
    assert roles(AMARA) == {(Role.STUDENT, None)}
    named_students = db.session.scalar(
        select(func.count(User.id)).where(
            User.memberships.any(Membership.role == Role.STUDENT),
            ~User.email.like("synthetic.%"),
        )
    )
    assert named_students == 1 + 35
    assert f"password of every demo account: {PASSWORD}" in demo_season
    for email in ("admin@keck.example.edu", AMARA, LUIS, NIA):
        assert verify_password(user(email).password_hash, PASSWORD), email


def test_readme_interview_season_ten_days_two_reserved_fair_release_drawn(app, demo_season):
    season = db.session.scalar(
        select(InterviewSeason).where(InterviewSeason.department_id == em().id)
    )
    days = db.session.scalars(select(InterviewDay).where(InterviewDay.season_id == season.id)).all()
    assert (len(days), sum(d.reserved for d in days)) == (10, 2)
    assert season.booking_mode is BookingMode.FAIR_RELEASE and season.draw is not None
    assert (
        db.session.scalar(
            select(func.count(Booking.id)).where(Booking.state == BookingState.BOOKED)
        )
        > 0
    )
    assert (
        db.session.scalar(
            select(func.count(WaitlistEntry.id)).where(WaitlistEntry.state == WaitlistState.WAITING)
        )
        == 1
    )
    director = user("em.director@keck.example.edu")
    page = login(app.test_client(), director).get(
        f"/departments/{em().slug}/interviews/", follow_redirects=True
    )
    assert page.status_code == 200
    assert season.draw.seed in page.get_data(as_text=True)


def test_readme_listed_invitees_in_the_pathway_one_in_three_starting_with_amara(app, demo_season):
    listed = db.session.scalars(
        select(Invitation)
        .where(Invitation.source == InvitationSource.IMPORT)
        .order_by(Invitation.id)
    ).all()
    assert listed[0].email == AMARA
    assert [i.in_pathway for i in listed] == [n % 3 == 0 for n in range(len(listed))]


def test_readme_luis_is_not_in_the_pathway_and_sees_no_reserved_day(app, demo_season):
    luis = user(LUIS)
    flags = db.session.scalars(
        select(Application.in_pathway).where(Application.student_id == luis.id)
    ).all()
    assert flags and not any(flags)
    invitation = db.session.scalar(select(Invitation).where(Invitation.student_id == luis.id))
    assert invitation is not None and not invitation.in_pathway
    page = login(app.test_client(), luis).get(f"/interviews/{invitation.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Reserved for the UIM pathway" not in text
    open_days = db.session.scalars(
        select(InterviewDay).where(
            InterviewDay.season_id == invitation.season_id, InterviewDay.reserved.is_(False)
        )
    ).all()
    assert len(open_days) == 8 and all(day.label in text for day in open_days)


def test_readme_allocation_published_with_its_story_and_nia_to_answer(app, demo_season):
    run = db.session.scalar(select(AllocationRun).where(AllocationRun.department_id == em().id))
    assert run.state is RunState.PUBLISHED
    assert publish_override(run) == OVERRIDE_REASON
    offers = db.session.scalars(
        select(Offer).join(Offer.placement).where(Placement.run_id == run.id)
    ).all()
    states = Counter(o.state for o in offers)
    assert (
        states[OfferState.DECLINED],
        states[OfferState.WITHDRAWN],
        states[OfferState.EXPIRED],
    ) == (
        1,
        1,
        2,
    )
    assert states[OfferState.ACCEPTED] > len(offers) / 2  # most students accepted
    causes = db.session.scalars(select(SeatMove.cause).order_by(SeatMove.id)).all()
    assert causes[0] == "declined" and causes[1] == "moved to a block ranked higher"
    nia = user(NIA)
    pending = db.session.scalars(
        select(Offer)
        .join(Offer.application)
        .where(
            Application.student_id == nia.id,
            Application.department_id == em().id,
            Offer.state == OfferState.PENDING,
        )
    ).all()
    assert len(pending) == 1
    assert db.session.scalar(
        select(SeatMove.id).where(SeatMove.given_to_id == pending[0].application_id)
    )


def test_readme_pediatrics_and_internal_medicine_have_placed_students_to_onboard(app, demo_season):
    for slug in ("pediatrics", "internal-medicine"):
        department = db.session.scalar(select(Department).where(Department.slug == slug))
        held = db.session.scalar(
            select(func.count(Placement.id))
            .join(Placement.application)
            .where(
                Application.department_id == department.id,
                Placement.state == PlacementState.HELD,
            )
        )
        assert held > 0, slug
        placed = (
            select(Application.student_id)
            .join(Placement, Placement.application_id == Application.id)
            .where(
                Application.department_id == department.id,
                Placement.state == PlacementState.HELD,
            )
        )
        to_verify = db.session.scalar(
            select(func.count(Document.id)).where(
                Document.owner_id.in_(placed), Document.verified_at.is_(None)
            )
        )
        assert to_verify > 0, slug


def test_demo_admin_and_committee_set_up_two_step_sign_in_at_their_first_sign_in(app, demo_season):
    assert "set up two-step sign-in (an authenticator app) at their first sign-in" in demo_season
    for email in ("admin@keck.example.edu", "award.committee@keck.example.edu"):
        assert user(email).has_two_factor is False
        client = app.test_client()
        client.post("/login", data={"email": email, "password": PASSWORD})
        assert client.get("/").headers["Location"] == "/account/two-factor"
