"""A director sets up interview days and invites; invitees book; a reserved day stays hidden;
a cancellation moves the waitlist. axe-core checks every page on the way."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from clerkship.accounts.models import Role
from clerkship.core.time import local_today
from clerkship.extensions import db
from clerkship.interviews.models import Booking, BookingState, BookingVia
from tests.browser.journeys import sign_in
from tests.factories import (
    make_cycle,
    make_department,
    make_student,
    make_submitted_application,
    make_user,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": False}


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in").first).to_be_visible()


def _add_day(page: Page, axe, on, start, end, seats, *, reserved=False) -> None:
    page.get_by_role("link", name="Add a day").click()
    axe.check(page)
    page.get_by_label("Date").fill(on.isoformat())
    page.get_by_label("Starts").fill(start)
    page.get_by_label("Ends").fill(end)
    page.get_by_label("In person", exact=True).check()
    page.get_by_label("Location (in person)").fill("LA General, Room 1011")
    page.get_by_label("Seats", exact=True).fill(str(seats))
    if reserved:
        page.get_by_label("Reserved for the UIM pathway").check()
    page.get_by_role("button", name="Save the day").click()
    expect(page.get_by_text(re.compile("^Interview day .* saved\\.$"))).to_be_visible()
    axe.check(page)


def test_director_sets_up_days_invites_and_invitees_book(page: Page, live_server, mailbox, axe):
    cycle = make_cycle()
    department = make_department(name="Emergency Medicine", slug="emergency-medicine")
    make_user(
        (Role.DIRECTOR, department),
        email="em.director@keck.example.edu",
        full_name="Dr. Elena Ruiz",
    )
    people = {
        "amara": ("Amara Okafor", True),
        "ethan": ("Ethan Park", False),
        "grace": ("Grace Nguyen", False),
    }
    for key, (name, pathway) in people.items():
        student = make_student(full_name=name, email=f"{key}@med.example.edu")
        make_submitted_application(student, department, cycle, in_pathway=pathway)
    db.session.commit()
    first = local_today() + timedelta(days=21)

    # The director sets up a first-come season with three days, one reserved, and invites.
    sign_in(page, live_server, "em.director@keck.example.edu", axe)
    page.get_by_role("link", name="Emergency Medicine").click()
    axe.check(page)
    page.get_by_role("link", name="Interviews", exact=True).click()
    expect(page.get_by_text(f"There is no interview season for {cycle.name} yet.")).to_be_visible()
    axe.check(page)
    page.get_by_role("link", name="Set up the interview season").click()
    axe.check(page)
    page.get_by_label("First come, first served").check()
    page.get_by_role("button", name="Save the season").click()
    expect(page.get_by_text("The interview season is saved.")).to_be_visible()
    axe.check(page)
    _add_day(page, axe, first, "08:00", "12:00", 1)
    _add_day(page, axe, first + timedelta(days=1), "08:00", "12:00", 3)
    _add_day(page, axe, first + timedelta(days=2), "13:00", "17:00", 2, reserved=True)
    expect(page.get_by_text("Reserved: UIM pathway")).to_have_count(1)

    page.get_by_role("link", name="Invitations", exact=True).click()
    axe.check(page)
    expect(page.get_by_label(re.compile("^Amara Okafor .* UIM pathway: yes$"))).to_be_visible()
    for name, _pathway in people.values():
        page.get_by_label(re.compile(f"^{name} ")).check()
    page.get_by_role("button", name="Send invitations").click()
    expect(page.get_by_text("3 invitation(s) sent.")).to_be_visible()
    expect(page.get_by_role("cell", name="Awaiting reply")).to_have_count(3)
    axe.check(page)
    _sign_out(page)
    assert mailbox.last_to("amara@med.example.edu")["Subject"] == (
        "Invitation to interview: Emergency Medicine residency"
    )

    reserved_label = f"{first + timedelta(days=2):%a, %b %-d, %Y}, 1:00 PM"
    first_label = f"{first:%a, %b %-d, %Y}, 8:00 AM"

    # The pathway invitee sees the reserved day and books it.
    sign_in(page, live_server, "amara@med.example.edu", axe)
    page.get_by_role("link", name="Interviews", exact=True).click()
    axe.check(page)
    page.get_by_role("link", name="Emergency Medicine").click()
    axe.check(page)
    row = page.get_by_role("row").filter(has_text=reserved_label)
    expect(row.get_by_text("Reserved for the UIM pathway")).to_be_visible()
    row.get_by_role("button", name="Book").click()
    expect(page.get_by_text(re.compile("^You are booked on "))).to_be_visible()
    expect(page.get_by_role("heading", name="Your interview")).to_be_visible()
    axe.check(page)
    _sign_out(page)

    # Another invitee never sees the reserved day; they take the last seat of the first day.
    sign_in(page, live_server, "ethan@med.example.edu", axe)
    page.get_by_role("link", name="Interviews", exact=True).click()
    page.get_by_role("link", name="Emergency Medicine").click()
    expect(page.get_by_text(reserved_label)).to_have_count(0)
    expect(page.get_by_text("Reserved for the UIM pathway")).to_have_count(0)
    expect(page.get_by_role("row")).to_have_count(3)  # header and two ordinary days
    axe.check(page)
    page.get_by_role("row").filter(has_text=first_label).get_by_role("button", name="Book").click()
    expect(page.get_by_text(re.compile("^You are booked on "))).to_be_visible()
    axe.check(page)
    _sign_out(page)

    # A third invitee finds the first day full and joins its waitlist, to be booked automatically.
    sign_in(page, live_server, "grace@med.example.edu", axe)
    page.get_by_role("link", name="Interviews", exact=True).click()
    page.get_by_role("link", name="Emergency Medicine").click()
    row = page.get_by_role("row").filter(has_text=first_label)
    row.get_by_text("Full: join the waitlist").click()
    axe.check(page)
    row.get_by_label("Book me automatically if a seat frees up").check()
    row.get_by_role("button", name="Join the waitlist").click()
    expect(page.get_by_text(re.compile("^You are on the waitlist for "))).to_be_visible()
    expect(page.get_by_text("You are 1st on the waitlist")).to_be_visible()
    axe.check(page)
    _sign_out(page)

    # The other invitee cancels; the waitlist moves and the third invitee is booked.
    sign_in(page, live_server, "ethan@med.example.edu", axe)
    page.get_by_role("link", name="Interviews", exact=True).click()
    page.get_by_role("link", name="Emergency Medicine").click()
    page.get_by_role("button", name="Cancel my booking").click()
    expect(page.get_by_text("Your booking is cancelled.")).to_be_visible()
    axe.check(page)
    _sign_out(page)

    sign_in(page, live_server, "grace@med.example.edu", axe)
    page.get_by_role("link", name="Interviews", exact=True).click()
    page.get_by_role("link", name="Emergency Medicine").click()
    expect(page.get_by_role("heading", name="Your interview")).to_be_visible()
    expect(page.get_by_text(first_label, exact=False).first).to_be_visible()
    axe.check(page)
    _sign_out(page)
    db.session.commit()
    grace = db.session.scalar(
        select(Booking).where(
            Booking.state == BookingState.BOOKED, Booking.via == BookingVia.WAITLIST
        )
    )
    assert grace.invitation.email == "grace@med.example.edu"
    assert mailbox.last_to("grace@med.example.edu")["Subject"].startswith(
        "Your residency interview is booked"
    )

    # The director sees the roster and the fill of each day.
    sign_in(page, live_server, "em.director@keck.example.edu", axe)
    page.goto(live_server + f"/departments/emergency-medicine/interviews/{cycle.slug}/")
    axe.check(page)
    page.get_by_role("link", name=re.compile("^" + re.escape(first_label))).click()
    expect(page.get_by_text("Booked: 1 of 1 (100% full)")).to_be_visible()
    expect(page.get_by_role("cell", name="Grace Nguyen", exact=True)).to_be_visible()
    axe.check(page)


def test_fair_release_ranking_draw_and_seed_in_the_browser(page: Page, live_server, mailbox, axe):
    from clerkship.core.time import utcnow
    from clerkship.interviews.models import BookingMode, InterviewDraw, InterviewSeason
    from tests.factories import make_day, make_season

    cycle = make_cycle()
    department = make_department(name="Emergency Medicine", slug="emergency-medicine")
    make_user(
        (Role.DIRECTOR, department),
        email="em.director@keck.example.edu",
        full_name="Dr. Elena Ruiz",
    )
    season = make_season(department, cycle, booking_mode=BookingMode.FAIR_RELEASE)
    early = make_day(season, days_ahead=21, capacity=1)
    late = make_day(season, days_ahead=22, capacity=1)
    reserved = make_day(season, days_ahead=23, capacity=1, reserved=True)
    for key, name in (("amara", "Amara Okafor"), ("ethan", "Ethan Park")):
        student = make_student(full_name=name, email=f"{key}@med.example.edu")
        make_submitted_application(student, department, cycle, in_pathway=key == "amara")
    db.session.commit()

    sign_in(page, live_server, "em.director@keck.example.edu", axe)
    page.goto(live_server + f"/departments/emergency-medicine/interviews/{cycle.slug}/invitations")
    page.get_by_label(re.compile("^Amara Okafor ")).check()
    page.get_by_label(re.compile("^Ethan Park ")).check()
    page.get_by_role("button", name="Send invitations").click()
    expect(page.get_by_text("2 invitation(s) sent.")).to_be_visible()
    page.goto(live_server + f"/departments/emergency-medicine/interviews/{cycle.slug}/")
    expect(page.get_by_text(re.compile("^Invitees are ranking days until "))).to_be_visible()
    axe.check(page)
    _sign_out(page)

    sign_in(page, live_server, "ethan@med.example.edu", axe)
    page.get_by_role("link", name="Interviews", exact=True).click()
    page.get_by_role("link", name="Emergency Medicine").click()
    expect(page.get_by_role("heading", name="Rank the days you can attend")).to_be_visible()
    expect(page.get_by_label(reserved.label)).to_have_count(0)
    expect(page.get_by_role("button", name="Book")).to_have_count(0)
    axe.check(page)
    page.get_by_label(early.label).select_option(label="2nd choice")
    page.get_by_label(late.label).select_option(label="2nd choice")
    page.get_by_role("button", name="Save my ranking").click()
    expect(page.get_by_text("Give each day a different choice number.")).to_be_visible()
    axe.check(page)
    page.get_by_label(early.label).select_option(label="1st choice")
    page.get_by_role("button", name="Save my ranking").click()
    expect(page.get_by_text("Your ranking of 2 day(s) is saved.", exact=False)).to_be_visible()
    axe.check(page)
    _sign_out(page)

    # The ranking window closes; the director runs the draw and sees its seed.
    db.session.rollback()  # end the test's read snapshot before writing beside the server
    db.session.execute(
        update(InterviewSeason)
        .where(InterviewSeason.id == season.id)
        .values(ranking_closes_at=utcnow())
    )
    db.session.commit()
    sign_in(page, live_server, "em.director@keck.example.edu", axe)
    page.goto(live_server + f"/departments/emergency-medicine/interviews/{cycle.slug}/")
    page.get_by_role("button", name="Run the draw now").click()
    expect(page.get_by_text("The draw ran. Everyone placed has been emailed.")).to_be_visible()
    db.session.commit()
    seed = db.session.scalar(select(InterviewDraw.seed))
    expect(page.locator("#draw-seed")).to_be_hidden()  # only in "How to check this draw"
    page.get_by_text("How to check this draw").click()
    expect(page.locator("#draw-seed")).to_have_text(seed)
    expect(page.locator("#draw-replay")).to_contain_text("the same days for the same people")
    axe.check(page)
    _sign_out(page)

    sign_in(page, live_server, "ethan@med.example.edu", axe)
    page.get_by_role("link", name="Interviews", exact=True).click()
    page.get_by_role("link", name="Emergency Medicine").click()
    expect(page.get_by_role("heading", name="Your interview")).to_be_visible()
    expect(page.get_by_text(seed)).to_be_hidden()
    page.get_by_text("How to check this draw").click()
    expect(page.locator("#draw-seed")).to_have_text(seed)
    axe.check(page)
    assert mailbox.last_to("ethan@med.example.edu")["Subject"] == (
        f"Your residency interview is booked: {early.short_label}"
    )
