"""The budget is never overspent, even when committee members decide at the same moment."""

from __future__ import annotations

import threading

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from clerkship.awards.models import AwardApplication, AwardSettings, AwardState
from clerkship.extensions import db
from tests.awards.helpers import ready_student
from tests.conftest import login
from tests.factories import make_user

ROUNDS = 4


def _post_together(app, requests: list[tuple]) -> list:
    """Send each (user, url, data) from its own client and thread, released at the same moment."""
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)
    clients = []
    db.session.commit()
    for user, _url, _data in requests:
        clients.append(_client(app, user))

    def run(index: int) -> None:
        _user, url, data = requests[index]
        barrier.wait()
        response = clients[index].post(url, data=data)
        results[index] = (response.status_code, response.get_data(as_text=True))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _client(app, user) -> FlaskClient:
    # A plain client: the committing one needs the test's app context, which a thread lacks.
    client = FlaskClient(app, app.response_class, use_cookies=True)
    return login(client, user)


def _decision(award: AwardApplication, amount: str = "2000") -> dict:
    return {"decision": "awarded", "amount": amount, "note": "", "version": str(award.version)}


def test_two_members_awarding_at_once_never_overspend(app):
    for _ in range(ROUNDS):
        first = ready_student()
        first.settings.budget_cents = 3000_00
        second = ready_student(cycle=first.cycle, settings=first.settings)
        for ready in (first, second):
            ready.award.state = AwardState.SUBMITTED
        other_member = make_user(*first.committee.roles)
        db.session.commit()
        results = _post_together(
            app,
            [
                (
                    first.committee,
                    f"/awards/applications/{first.award.id}/decision",
                    _decision(first.award),
                ),
                (
                    other_member,
                    f"/awards/applications/{second.award.id}/decision",
                    _decision(second.award),
                ),
            ],
        )
        statuses = sorted(status for status, _ in results)
        assert statuses == [200, 302]
        refused = next(body for status, body in results if status == 200)
        assert "Awarding $2,000.00 would overspend the budget: $1,000.00 remains." in refused
        db.session.rollback()  # a fresh transaction sees what the requests committed
        settings = db.session.get(AwardSettings, first.settings.id)
        states = sorted(
            db.session.get(AwardApplication, r.award.id).state.value for r in (first, second)
        )
        assert (settings.committed_cents, states) == (2000_00, ["awarded", "submitted"])


def test_same_application_decided_twice_at_once_is_awarded_once(app):
    ready = ready_student()
    ready.award.state = AwardState.SUBMITTED
    other_member = make_user(*ready.committee.roles)
    db.session.commit()
    url = f"/awards/applications/{ready.award.id}/decision"
    results = _post_together(
        app,
        [
            (ready.committee, url, _decision(ready.award)),
            (other_member, url, _decision(ready.award)),
        ],
    )
    assert sorted(status for status, _ in results) == [200, 302]
    refused = next(body for status, body in results if status == 200)
    assert "This award application changed after you opened it" in refused
    db.session.rollback()
    assert db.session.get(AwardSettings, ready.settings.id).committed_cents == 2000_00


def test_decision_waits_for_the_budget_lock_and_reads_it_fresh(app, is_postgres, database_url):
    if not is_postgres:
        pytest.skip("row locks are PostgreSQL's; SQLite serialises whole write transactions")
    ready = ready_student()
    ready.settings.budget_cents = 3000_00
    ready.award.state = AwardState.SUBMITTED
    db.session.commit()
    holder = create_engine(database_url)
    connection = holder.connect()
    try:
        transaction = connection.begin()
        connection.execute(
            text("SELECT id FROM award_settings WHERE id = :id FOR UPDATE"),
            {"id": ready.settings.id},
        )
        client = _client(app, ready.committee)
        url, data = f"/awards/applications/{ready.award.id}/decision", _decision(ready.award)
        outcome: dict = {}

        def decide() -> None:
            response = client.post(url, data=data)
            outcome["response"] = (response.status_code, response.get_data(as_text=True))

        thread = threading.Thread(target=decide)
        thread.start()
        thread.join(timeout=1.0)
        assert outcome == {}  # still waiting for the lock
        # Meanwhile the lock holder commits money first.
        connection.execute(
            text("UPDATE award_settings SET committed_cents = 150000 WHERE id = :id"),
            {"id": ready.settings.id},
        )
        transaction.commit()
        thread.join(timeout=30)
    finally:
        connection.close()
        holder.dispose()
    status, body = outcome["response"]
    assert status == 200
    assert "Awarding $2,000.00 would overspend the budget: $1,500.00 remains." in body
