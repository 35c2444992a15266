"""Fair release: rank during the window, then a seeded draw that is recorded and replays exactly."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from clerkship.core.rules import RuleViolation
from clerkship.core.time import local_end_of_day, local_today, utcnow
from clerkship.extensions import db
from clerkship.interviews.booking import services as booking
from clerkship.interviews.booking.services import NOT_OFFERED
from clerkship.interviews.draw import services as fair_release
from clerkship.interviews.draw.engine import Day, Invitee, draw_days
from clerkship.interviews.invitations import services as invitations
from clerkship.interviews.models import (
    Booking,
    BookingMode,
    BookingState,
    BookingVia,
    InterviewDraw,
    InvitationState,
    Ranking,
    SeasonPhase,
)
from clerkship.interviews.queries import active_booking
from tests.conftest import login
from tests.factories import make_day, make_invitation, make_submitted_application


@pytest.fixture
def fair(setting):
    setting.season.booking_mode = BookingMode.FAIR_RELEASE
    setting.season.ranking_closes_at = utcnow() + timedelta(hours=48)
    return setting


def _close_ranking(season) -> None:
    season.ranking_closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()


def test_ranking_window_opens_with_the_first_invitations(setting):
    setting.season.booking_mode = BookingMode.FAIR_RELEASE
    setting.season.ranking_hours = 36
    applicant = make_submitted_application(
        department=setting.season.department, cycle=setting.season.cycle
    )
    assert setting.season.phase is SeasonPhase.SETUP
    before = utcnow()
    invitations.invite_applicants(
        setting.season,
        [applicant],
        reply_by=local_end_of_day(local_today() + timedelta(days=7)),
        by=setting.director,
    )
    assert setting.season.phase is SeasonPhase.RANKING
    assert before + timedelta(hours=36) <= setting.season.ranking_closes_at
    assert setting.season.ranking_closes_at <= utcnow() + timedelta(hours=36)


def test_booking_waits_for_the_draw(fair):
    day = make_day(fair.season)
    with pytest.raises(RuleViolation) as error:
        booking.book_day(fair.other, day.id, by=fair.other.student)
    assert error.value.message.startswith("Days are given by the fair-release draw first")
    _close_ranking(fair.season)
    with pytest.raises(RuleViolation) as error:
        booking.book_day(fair.other, day.id, by=fair.other.student)
    assert error.value.message == (
        "The fair-release draw is about to run; booking opens right after it."
    )


def test_save_ranking_renumbers_choices_and_accepts_the_invitation(fair):
    a, b, c = (make_day(fair.season, days_ahead=n) for n in (10, 11, 12))
    fair_release.save_ranking(fair.other, {c.id: 1, a.id: 3}, by=fair.other.student)
    db.session.commit()
    rows = db.session.execute(select(Ranking.day_id, Ranking.rank).order_by(Ranking.rank)).all()
    assert rows == [(c.id, 1), (a.id, 2)]
    assert fair.other.state is InvitationState.ACCEPTED
    fair_release.save_ranking(fair.other, {b.id: 1}, by=fair.other.student)  # replaces
    db.session.commit()
    assert db.session.execute(select(Ranking.day_id, Ranking.rank)).all() == [(b.id, 1)]


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ("none", "Rank at least one day you can attend, or decline the invitation if you cannot."),
        ("same", "Give each day a different choice number."),
        ("reserved", NOT_OFFERED),
        ("missing", NOT_OFFERED),
    ],
)
def test_save_ranking_refusals(fair, choices, message):
    day = make_day(fair.season)
    other = make_day(fair.season, days_ahead=20)
    reserved = make_day(fair.season, days_ahead=21, reserved=True)
    choices = {
        "none": {},
        "same": {day.id: 1, other.id: 1},
        "reserved": {day.id: 1, reserved.id: 2},
        "missing": {day.id: 1, reserved.id + 99: 2},
    }[choices]
    with pytest.raises(RuleViolation) as error:
        fair_release.save_ranking(fair.other, choices, by=fair.other.student)
    assert error.value.message == message
    assert db.session.scalar(select(func.count(Ranking.id))) == 0


def test_ranking_after_the_window_refused(fair):
    day = make_day(fair.season)
    _close_ranking(fair.season)
    with pytest.raises(RuleViolation) as error:
        fair_release.save_ranking(fair.other, {day.id: 1}, by=fair.other.student)
    assert error.value.message == "The ranking window is closed."


def test_draw_before_the_window_closes_refused(fair):
    with pytest.raises(RuleViolation) as error:
        fair_release.run_draw(fair.season, by=fair.director)
    assert error.value.message.startswith("The ranking window is open until ")


def _season_with_rankings(fair, people=30, seed=7):
    rng = random.Random(seed)
    days = [
        make_day(fair.season, days_ahead=10 + n, capacity=cap, reserved=reserved)
        for n, (cap, reserved) in enumerate([(3, False), (2, False), (4, True), (1, False)])
    ]
    invitees = [fair.pathway, fair.other] + [
        make_invitation(fair.season, pathway=rng.random() < 0.4) for _ in range(people - 2)
    ]
    for invitee in invitees:
        offered = [d for d in days if invitee.in_pathway or not d.reserved]
        picked = rng.sample(offered, rng.randint(1, len(offered)))
        fair_release.save_ranking(
            invitee, {d.id: n for n, d in enumerate(picked, 1)}, by=invitee.student
        )
    db.session.commit()
    _close_ranking(fair.season)
    return days, invitees


def test_draw_assigns_days_within_capacity_and_reserved_days_to_pathway_only(fair, mailbox):
    days, invitees = _season_with_rankings(fair)
    record = fair_release.run_draw(fair.season, by=fair.director, seed=2027)
    db.session.commit()
    assert record.seed == "2027"
    bookings = list(db.session.scalars(select(Booking)))
    assert {b.via for b in bookings} == {BookingVia.DRAW}
    assert len(bookings) == sum(d.capacity for d in days)  # 30 people want 10 seats
    for day in days:
        db.session.refresh(day)
        held = [b for b in bookings if b.day_id == day.id]
        assert day.taken == len(held) <= day.capacity
        if day.reserved:
            assert all(b.invitation.in_pathway for b in held)
    ranked = {b.invitation_id: b.day_id for b in bookings}
    assert {int(k): (int(v) if v else None) for k, v in record.result["assignment"].items()} == {
        i.id: ranked.get(i.id) for i in invitees
    }
    placed = next(i for i in invitees if i.id in ranked)
    assert mailbox.last_to(placed.email)["Subject"].startswith("Your residency interview is booked")
    left_out = next(i for i in invitees if i.id not in ranked)
    assert mailbox.last_to(left_out.email)["Subject"] == "Interview draw: no ranked day had room"
    assert fair.season.phase is SeasonPhase.OPEN


def test_recorded_draw_replays_to_the_same_result(fair):
    _season_with_rankings(fair)
    record = fair_release.run_draw(fair.season, by=fair.director)
    db.session.commit()
    check = fair_release.replay_draw(db.session.get(InterviewDraw, record.id))
    assert check.matches
    # The pure draw alone, fed the stored inputs and seed, gives the stored result.
    inputs = record.inputs
    again = draw_days(
        [Day(str(i), c, r) for i, c, r in inputs["days"]],
        [Invitee(str(i), p, tuple(map(str, rk))) for i, p, rk in inputs["invitees"]],
        seed=int(record.seed),
        booked=inputs["booked"],
    )
    assert (list(again.order), dict(again.assignment)) == (
        record.result["order"],
        record.result["assignment"],
    )


def test_replay_detects_a_tampered_result(fair):
    _season_with_rankings(fair)
    record = fair_release.run_draw(fair.season, by=fair.director)
    record.result = {**record.result, "order": list(reversed(record.result["order"]))}
    assert not fair_release.replay_draw(record).matches


def test_draw_runs_once(fair):
    _season_with_rankings(fair, people=4)
    fair_release.run_draw(fair.season, by=fair.director)
    with pytest.raises(RuleViolation) as error:
        fair_release.run_draw(fair.season, by=fair.director)
    assert error.value.message == "The draw has already run."


def test_after_the_draw_days_with_room_open_first_come_first_served(fair):
    day = make_day(fair.season, capacity=5)
    fair_release.save_ranking(fair.pathway, {day.id: 1}, by=fair.pathway.student)
    _close_ranking(fair.season)
    fair_release.run_draw(fair.season, by=fair.director)
    booking.book_day(fair.other, day.id, by=fair.other.student)  # never ranked
    db.session.commit()
    assert active_booking(fair.pathway).day_id == day.id
    assert active_booking(fair.other).day_id == day.id
    db.session.refresh(day)
    assert day.taken == 2


def test_run_draws_command_runs_due_seasons(app, fair):
    _season_with_rankings(fair, people=5)
    result = CliRunner().invoke(app.cli, ["interviews", "run-draws"])
    assert result.exit_code == 0, result.output
    record = db.session.scalar(select(InterviewDraw))
    assert result.output == (
        f"Emergency Medicine {fair.season.cycle.name}: draw seed {record.seed}.\nRan 1 draw(s).\n"
    )
    assert (
        db.session.scalar(
            select(func.count(Booking.id)).where(Booking.state == BookingState.BOOKED)
        )
        >= 1
    )
    again = CliRunner().invoke(app.cli, ["interviews", "run-draws"])
    assert again.output == "Ran 0 draw(s).\n"


def test_draw_seed_is_shown_only_in_how_to_check_this_draw(client, fair):
    day = make_day(fair.season, capacity=5)
    fair_release.save_ranking(fair.pathway, {day.id: 1}, by=fair.pathway.student)
    _close_ranking(fair.season)
    record = fair_release.run_draw(fair.season, by=fair.director, seed=1234567890123456789)
    db.session.commit()
    pages = {
        fair.director: f"/departments/emergency-medicine/interviews/{fair.season.cycle.slug}/",
        fair.pathway.student: f"/interviews/{fair.pathway.id}",
    }
    for person, url in pages.items():
        login(client, person)
        page = client.get(url).get_data(as_text=True)
        check = page[page.index('<details class="mb-3" id="draw-check">') :]
        check = check[: check.index("</details>")]
        assert "<summary>How to check this draw</summary>" in check
        assert f'its seed: <strong id="draw-seed">{record.seed}</strong>' in check
        assert page.count(record.seed) == 1
        assert "clerkship.interviews" not in page
