"""Ordered waitlists: a freed seat goes to the first in line, booked or offered with a reply window."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from clerkship.core.rules import RuleViolation
from clerkship.core.time import utcnow
from clerkship.extensions import db
from clerkship.interviews.booking import services
from clerkship.interviews.booking.services import NOT_OFFERED
from clerkship.interviews.models import BookingVia, WaitlistEntry, WaitlistState
from clerkship.interviews.queries import active_booking, waitlist_positions
from clerkship.interviews.waitlists import services as waitlists
from tests.conftest import drain_outbox
from tests.factories import make_booking, make_day, make_invitation


def _state(entry) -> WaitlistState:
    db.session.expire(entry)
    return entry.state


def _taken(day) -> int:
    db.session.expire(day)
    return day.taken


@pytest.fixture
def full_day(setting):
    day = make_day(setting.season, capacity=1)
    make_booking(setting.pathway, day)
    return day


def _wait(setting, day, *, auto_book=False, pathway=False):
    invitation = make_invitation(setting.season, pathway=pathway)
    entry = waitlists.join_waitlist(invitation, day.id, auto_book=auto_book, by=invitation.student)
    return invitation, entry


def test_waitlist_is_ordered_first_come_first_served(setting, full_day):
    first, _ = _wait(setting, full_day)
    second, _ = _wait(setting, full_day)
    db.session.commit()
    assert waitlist_positions(first) == {full_day.id: 1}
    assert waitlist_positions(second) == {full_day.id: 2}


def test_freed_seat_is_offered_to_first_in_line_with_reply_window(setting, full_day, mailbox):
    first, entry = _wait(setting, full_day)
    _second, later = _wait(setting, full_day)
    services.cancel_booking(setting.pathway, by=setting.pathway.student)
    db.session.commit()
    assert (_state(entry), _state(later)) == (WaitlistState.OFFERED, WaitlistState.WAITING)
    assert entry.offer_expires_at == entry.offered_at + timedelta(hours=24)
    assert _taken(full_day) == 1  # held for the offer: nobody else can take it
    assert mailbox.last_to(first.email)["Subject"] == (f"A seat opened on {full_day.short_label}")
    with pytest.raises(services.DayFull):
        services.book_day(setting.other, full_day.id, by=setting.other.student)


def test_freed_seat_is_booked_for_first_in_line_who_chose_automatic(setting, full_day, mailbox):
    first, entry = _wait(setting, full_day, auto_book=True)
    services.cancel_booking(setting.pathway, by=setting.pathway.student)
    db.session.commit()
    booking = active_booking(first)
    assert (booking.day_id, booking.via) == (full_day.id, BookingVia.WAITLIST)
    assert _state(entry) is WaitlistState.BOOKED
    message = mailbox.last_to(first.email)
    assert message["Subject"] == f"Your residency interview is booked: {full_day.short_label}"
    assert [p.get_content_type() for p in message.iter_attachments()] == ["text/calendar"]


def test_accepting_an_offer_books_and_moves_an_existing_booking(setting, full_day):
    other_day = make_day(setting.season, days_ahead=20, capacity=1)
    first, entry = _wait(setting, full_day)
    make_booking(first, other_day)
    behind, behind_entry = _wait(setting, other_day, auto_book=True)
    services.cancel_booking(setting.pathway, by=setting.pathway.student)
    waitlists.accept_offer(first, entry.id, by=first.student)
    db.session.commit()
    assert active_booking(first).day_id == full_day.id
    # Leaving other_day freed its seat, which went to the first on its own waitlist.
    assert active_booking(behind).day_id == other_day.id
    assert (_taken(full_day), _taken(other_day)) == (1, 1)
    assert _state(behind_entry) is WaitlistState.BOOKED


def test_declined_offer_passes_to_the_next_in_line(setting, full_day):
    first, entry = _wait(setting, full_day)
    _second, later = _wait(setting, full_day)
    services.cancel_booking(setting.pathway, by=setting.pathway.student)
    waitlists.decline_offer(first, entry.id, by=first.student)
    db.session.commit()
    assert (_state(entry), _state(later)) == (WaitlistState.DECLINED, WaitlistState.OFFERED)
    assert _taken(full_day) == 1


def test_lapsed_offer_expires_and_passes_on(app, setting, full_day, mailbox):
    first, entry = _wait(setting, full_day)
    _second, later = _wait(setting, full_day)
    services.cancel_booking(setting.pathway, by=setting.pathway.student)
    db.session.commit()
    assert mailbox.last_to(first.email)  # the offer went out: its window runs
    entry.offer_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    result = CliRunner().invoke(app.cli, ["interviews", "expire-offers"], obj=None)
    assert result.output == "Passed on 1 lapsed offer(s).\n"
    assert (_state(entry), _state(later)) == (WaitlistState.EXPIRED, WaitlistState.OFFERED)
    assert mailbox.last_to(first.email)["Subject"] == (
        f"Your offer for {full_day.short_label} has expired"
    )
    with pytest.raises(RuleViolation) as error:
        waitlists.accept_offer(first, entry.id, by=first.student)
    assert error.value.message == "That waitlist place or offer is no longer open."


def test_lapsed_offer_is_released_by_the_next_change_in_the_season(app, setting, full_day):
    _first, entry = _wait(setting, full_day)
    services.cancel_booking(setting.pathway, by=setting.pathway.student)
    db.session.commit()
    drain_outbox(app)  # the offer went out: its window runs
    entry.offer_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    services.book_day(setting.other, full_day.id, by=setting.other.student)
    db.session.commit()
    assert _state(entry) is WaitlistState.EXPIRED
    assert active_booking(setting.other).day_id == full_day.id


def test_offer_expiry_never_runs_past_the_lock_time(setting):
    starts = utcnow() + timedelta(hours=60)  # locks in 12 hours, sooner than 24
    day = make_day(
        setting.season, capacity=1, starts_at=starts, ends_at=starts + timedelta(hours=4)
    )
    make_booking(setting.pathway, day)
    _first, entry = _wait(setting, day)
    services.cancel_booking(setting.pathway, by=setting.pathway.student)
    assert entry.offer_expires_at == day.lock_at


def test_join_waitlist_of_day_with_room_refused(setting):
    day = make_day(setting.season, capacity=2)
    with pytest.raises(RuleViolation) as error:
        waitlists.join_waitlist(setting.other, day.id, auto_book=False, by=setting.other.student)
    assert error.value.message == f"{day.short_label} has a free seat: book it instead."


def test_join_waitlist_of_reserved_day_outside_pathway_refused(setting):
    day = make_day(setting.season, capacity=1, reserved=True)
    make_booking(setting.pathway, day)
    with pytest.raises(RuleViolation) as error:
        waitlists.join_waitlist(setting.other, day.id, auto_book=True, by=setting.other.student)
    assert error.value.message == NOT_OFFERED


def test_join_waitlist_twice_refused(setting, full_day):
    waitlists.join_waitlist(setting.other, full_day.id, auto_book=False, by=setting.other.student)
    with pytest.raises(RuleViolation) as error:
        waitlists.join_waitlist(
            setting.other, full_day.id, auto_book=True, by=setting.other.student
        )
    assert error.value.message == f"You are already on the waitlist for {full_day.short_label}."


def test_no_promotion_once_the_day_is_locked(setting):
    starts = utcnow() + timedelta(hours=50)
    day = make_day(
        setting.season, capacity=1, starts_at=starts, ends_at=starts + timedelta(hours=4)
    )
    make_booking(setting.pathway, day)
    _first, entry = _wait(setting, day, auto_book=True)
    db.session.commit()
    # Two hours later the day is locked; the director lowers nothing, raises the capacity.
    setting.season.lock_hours = 51
    db.session.commit()
    waitlists.fill_from_waitlist(day)
    assert _state(entry) is WaitlistState.WAITING


def test_more_capacity_promotes_from_the_waitlist(setting, full_day):
    from clerkship.core.time import to_local
    from clerkship.interviews.seasons.services import save_day

    _first, entry = _wait(setting, full_day, auto_book=True)
    _second, later = _wait(setting, full_day)
    start, end = to_local(full_day.starts_at), to_local(full_day.ends_at)
    save_day(
        full_day,
        season=setting.season,
        held_on=start.date(),
        starts=start.time(),
        ends=end.time(),
        format=full_day.format,
        location=full_day.location,
        meeting_link="",
        capacity=3,
        reserved=False,
        by=setting.director,
    )
    db.session.commit()
    assert (_state(entry), _state(later)) == (WaitlistState.BOOKED, WaitlistState.OFFERED)
    assert _taken(full_day) == 3


def test_leaving_the_waitlist_keeps_the_order_of_the_others(setting, full_day):
    first, entry = _wait(setting, full_day)
    second, _ = _wait(setting, full_day)
    waitlists.leave_waitlist(first, entry.id, by=first.student)
    db.session.commit()
    assert waitlist_positions(second) == {full_day.id: 1}
    assert (
        db.session.scalar(select(WaitlistEntry.state).where(WaitlistEntry.id == entry.id))
        is WaitlistState.LEFT
    )


def test_a_waitlist_offers_window_counts_from_its_delivery(app, setting, full_day):
    """A mail outage does not eat the time to answer (issue 14, part 6)."""
    from sqlalchemy import update

    from clerkship.outbox.models import MessageState, OutboxMessage
    from tests.conftest import free_port

    _first, entry = _wait(setting, full_day)
    services.cancel_booking(setting.pathway, by=setting.pathway.student)
    db.session.commit()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # the server is down
    drain_outbox(app)
    entry = db.session.get(WaitlistEntry, entry.id)
    assert db.session.get(OutboxMessage, entry.offer_notice_id).state is MessageState.QUEUED
    entry.offer_expires_at = utcnow() - timedelta(minutes=1)  # its window, counted from queuing
    db.session.commit()
    assert waitlists.expire_lapsed_offers() == 0  # never told: the offer stands
    db.session.commit()
    assert _state(entry) is WaitlistState.OFFERED
    app.config["MAIL_SERVER"] = None  # the outage ends (the console stands in for SMTP)
    db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
    db.session.commit()
    drain_outbox(app)
    entry = db.session.get(WaitlistEntry, entry.id)
    notice = db.session.get(OutboxMessage, entry.offer_notice_id)
    assert notice.state is MessageState.SENT
    assert entry.offer_expires_at == min(notice.sent_at + timedelta(hours=24), full_day.lock_at)
