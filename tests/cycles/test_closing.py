"""An administrator closes a finished cycle; the retention purge then runs on its own."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from clerkship.accounts.models import Role
from clerkship.audit.models import AuditEvent
from clerkship.core.time import local_today, utcnow
from clerkship.extensions import db
from clerkship.pathway.models import SelfIdentification
from tests.conftest import login
from tests.factories import make_cycle, make_self_identification, make_student, make_user


def _finished_cycle(**fields):
    today = local_today()
    return make_cycle(
        rotations_start_on=today - timedelta(days=200),
        rotations_end_on=today - timedelta(days=1),
        **fields,
    )


@pytest.fixture
def admin_client(client):
    login(client, make_user(Role.ADMIN))
    return client


def test_close_page_shows_the_consequences_before_anything_changes(app, admin_client):
    cycle = _finished_cycle()
    app.config["PATHWAY_RETENTION_DAYS"] = 30
    page = admin_client.get(f"/admin/cycles/{cycle.id}/close").get_data(as_text=True)
    purge_on = (utcnow() + timedelta(days=30)).date()
    assert (
        f"then deleted on or after {purge_on:%b %-d, %Y} by the scheduled retention purge" in page
    )
    assert "can no longer change" in page
    db.session.refresh(cycle)
    assert cycle.closed_at is None


def test_admin_closes_a_finished_cycle_and_it_is_audited(admin_client):
    cycle = _finished_cycle()
    response = admin_client.post(f"/admin/cycles/{cycle.id}/close")
    assert (response.status_code, response.headers["Location"]) == (302, "/admin/cycles/")
    db.session.refresh(cycle)
    assert cycle.closed_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cycle.close"))
    assert event.target_id == cycle.id
    listing = admin_client.get("/admin/cycles/").get_data(as_text=True)
    assert f"/admin/cycles/{cycle.id}/close" not in listing


def test_a_cycle_whose_rotations_have_not_ended_cannot_be_closed(admin_client):
    cycle = make_cycle(rotations_start_on=date(2099, 7, 1), rotations_end_on=date(2099, 12, 31))
    response = admin_client.post(f"/admin/cycles/{cycle.id}/close")
    assert response.status_code == 200
    message = (
        f"The {cycle.name} cycle can be closed once its rotations have ended, after 2099-12-31."
    )
    assert str(escape(message)) in response.get_data(as_text=True)
    db.session.refresh(cycle)
    assert cycle.closed_at is None


def test_a_closed_cycle_is_not_closed_again(admin_client):
    closed_at = utcnow() - timedelta(days=3)
    cycle = _finished_cycle(closed_at=closed_at)
    response = admin_client.post(f"/admin/cycles/{cycle.id}/close")
    assert response.status_code == 200
    db.session.refresh(cycle)
    assert cycle.closed_at == closed_at


def _answers(cycle) -> int:
    return db.session.scalar(
        select(func.count(SelfIdentification.id)).where(SelfIdentification.cycle_id == cycle.id)
    )


def test_purge_expired_purges_every_closed_cycle_past_retention_and_is_safe_to_repeat(app):
    app.config["PATHWAY_RETENTION_DAYS"] = 365
    old = _finished_cycle(closed_at=utcnow() - timedelta(days=400))
    recent = _finished_cycle(closed_at=utcnow() - timedelta(days=10))
    still_open = _finished_cycle()
    for cycle in (old, recent, still_open):
        make_self_identification(make_student(), cycle)
    db.session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["pathway", "purge-expired"])
    assert (first.exit_code, first.output) == (
        0,
        f"Deleted 1 answer(s) of {old.name}; counts kept.\n",
    )
    db.session.rollback()
    assert [_answers(c) for c in (old, recent, still_open)] == [0, 1, 1]
    again = runner.invoke(args=["pathway", "purge-expired"])
    assert (again.exit_code, again.output) == (
        0,
        "No closed cycle is past its 365-day retention period; nothing deleted.\n",
    )
