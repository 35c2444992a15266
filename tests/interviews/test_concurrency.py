"""Concurrent bookings through the real HTTP stack: never more bookings than seats, never a 500."""

from __future__ import annotations

import http.client
import threading
from collections import Counter

from sqlalchemy import func, select
from werkzeug.serving import make_server

from clerkship.extensions import db
from clerkship.interviews.models import Booking, BookingState, InterviewDay
from tests.factories import make_day, make_invitation, make_student

ATTEMPTS = 200
SEATS = 10


def _cookie(app, user) -> str:
    """A signed session cookie that signs user in, as the browser would hold it."""
    value = app.session_interface.get_signing_serializer(app).dumps(
        {"_user_id": user.get_id(), "_fresh": True}
    )
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"


class LiveServer:
    """The app served by Werkzeug's threaded server on 127.0.0.1, in a thread."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self.server.server_port

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=10)


def _post_all(port: int, requests: list[tuple[str, str]]) -> list[tuple[int, str]]:
    """POST every (path, cookie) at once, one thread each; (status, body) in order."""
    start = threading.Barrier(len(requests))
    results: list[tuple[int, str] | None] = [None] * len(requests)

    def attempt(index: int, path: str, cookie: str) -> None:
        start.wait()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            connection.request("POST", path, headers={"Cookie": cookie, "Content-Length": "0"})
            response = connection.getresponse()
            results[index] = (response.status, response.read().decode())
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=(i, path, cookie))
        for i, (path, cookie) in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert all(r is not None for r in results)
    return results  # type: ignore[return-value]


def test_200_concurrent_bookings_for_10_seats(app, setting):
    day = make_day(setting.season, capacity=SEATS)
    invitations = [
        make_invitation(setting.season, make_student(), pathway=i % 3 == 0) for i in range(ATTEMPTS)
    ]
    requests = [
        (f"/interviews/{inv.id}/days/{day.id}/book", _cookie(app, inv.student))
        for inv in invitations
    ]
    db.session.commit()
    with LiveServer(app) as port:
        results = _post_all(port, requests)
    statuses = Counter(status for status, _ in results)
    assert statuses == Counter({303: SEATS, 409: ATTEMPTS - SEATS})
    full = f"{day.short_label} is full: all {SEATS} seats are taken."
    assert all(full in body for status, body in results if status == 409)
    booked = db.session.scalar(
        select(func.count(Booking.id)).where(
            Booking.day_id == day.id, Booking.state == BookingState.BOOKED
        )
    )
    assert booked == SEATS
    assert db.session.scalar(select(InterviewDay.taken).where(InterviewDay.id == day.id)) == SEATS


def test_concurrent_double_submits_leave_one_booking(app, setting):
    days = [make_day(setting.season, days_ahead=10 + n, capacity=5) for n in range(4)]
    invitation = setting.other
    cookie = _cookie(app, invitation.student)
    requests = [
        (f"/interviews/{invitation.id}/days/{days[i % 4].id}/book", cookie) for i in range(24)
    ]
    db.session.commit()
    with LiveServer(app) as port:
        results = _post_all(port, requests)
    assert all(status in (303, 409) for status, _ in results)
    active = list(
        db.session.scalars(
            select(Booking).where(
                Booking.invitation_id == invitation.id, Booking.state == BookingState.BOOKED
            )
        )
    )
    assert len(active) == 1
    taken = {
        d.id: db.session.scalar(select(InterviewDay.taken).where(InterviewDay.id == d.id))
        for d in days
    }
    assert taken == {d.id: int(d.id == active[0].day_id) for d in days}


def test_concurrent_cancellations_and_bookings_keep_counts_exact(app, setting):
    day = make_day(setting.season, capacity=5)
    from tests.factories import make_booking

    holders = [make_invitation(setting.season) for _ in range(5)]
    for holder in holders:
        make_booking(holder, day)
    newcomers = [make_invitation(setting.season) for _ in range(20)]
    requests = [(f"/interviews/{h.id}/cancel", _cookie(app, h.student)) for h in holders] + [
        (f"/interviews/{n.id}/days/{day.id}/book", _cookie(app, n.student)) for n in newcomers
    ]
    db.session.commit()
    with LiveServer(app) as port:
        results = _post_all(port, requests)
    assert all(status in (303, 409) for status, _ in results)
    booked = db.session.scalar(
        select(func.count(Booking.id)).where(
            Booking.day_id == day.id, Booking.state == BookingState.BOOKED
        )
    )
    taken = db.session.scalar(select(InterviewDay.taken).where(InterviewDay.id == day.id))
    assert booked == taken <= 5
    assert Counter(s for s, _ in results[:5]) == Counter({303: 5})
