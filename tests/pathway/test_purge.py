"""`flask pathway purge`: a closed cycle's answers go after the retention period; counts stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from clerkship.audit.models import AuditEvent
from clerkship.core.rules import RuleViolation
from clerkship.core.time import utcnow
from clerkship.extensions import db
from clerkship.pathway.models import Identification, PathwayAggregate, SelfIdentification
from clerkship.pathway.services.purge import purge_answers
from tests.factories import make_cycle, make_self_identification, make_student


@pytest.fixture
def answered(app):
    cycle = make_cycle()
    other_cycle = make_cycle()
    make_self_identification(make_student(), cycle, categories=["Black or African American"])
    make_self_identification(
        make_student(),
        cycle,
        categories=["Black or African American", "American Indian or Alaska Native"],
    )
    make_self_identification(make_student(), cycle, identifies=Identification.NO)
    kept = make_self_identification(make_student(), other_cycle)
    return cycle, other_cycle, kept


def _counts(cycle) -> dict:
    rows = db.session.scalars(select(PathwayAggregate).where(PathwayAggregate.cycle_id == cycle.id))
    return {(r.config_number, r.item, r.value): r.count for r in rows}


def test_purge_deletes_answers_and_keeps_counts(answered):
    cycle, _other_cycle, kept = answered
    cycle.closed_at = utcnow() - timedelta(days=400)
    result = purge_answers(cycle, retention_days=365, now=utcnow(), by=None)
    db.session.commit()
    assert result.deleted == 3
    remaining = db.session.scalars(select(SelfIdentification.id)).all()
    assert remaining == [kept.id]
    # Three answers: every count is under 5, so none is kept.
    assert _counts(cycle) == {}
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "pathway.answers_purged")
    )
    assert (event.summary, event.detail) == ("3 answer(s) deleted, counts kept", {"deleted": 3})


def test_purge_refuses_an_open_cycle(answered):
    cycle, *_ = answered
    with pytest.raises(RuleViolation) as refused:
        purge_answers(cycle, retention_days=365, now=utcnow(), by=None)
    assert refused.value.message == f"The {cycle.name} cycle is not closed; its answers are kept."
    assert db.session.scalar(select(func.count(SelfIdentification.id))) == 4


def test_purge_refuses_within_the_retention_period(answered):
    cycle, *_ = answered
    cycle.closed_at = utcnow() - timedelta(days=10)
    until = cycle.closed_at + timedelta(days=365)
    with pytest.raises(RuleViolation) as refused:
        purge_answers(cycle, retention_days=365, now=utcnow(), by=None)
    assert refused.value.message == (
        f"The {cycle.name} cycle closed on {cycle.closed_at:%Y-%m-%d}; its answers are kept "
        f"for 365 days, until {until:%Y-%m-%d}."
    )


def test_purge_twice_adds_nothing_the_second_time(answered):
    cycle, *_ = answered
    cycle.closed_at = utcnow() - timedelta(days=400)
    purge_answers(cycle, retention_days=365, now=utcnow(), by=None)
    again = purge_answers(cycle, retention_days=365, now=utcnow(), by=None)
    assert (again.deleted, _counts(cycle)) == (0, {})


def test_cli_purge_dry_run_then_purge(app, answered):
    cycle, *_ = answered
    cycle.closed_at = utcnow() - timedelta(days=400)
    db.session.commit()
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["pathway", "purge", "--cycle", cycle.slug, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert dry.output == f"Would delete 3 answer(s) of {cycle.name}; nothing deleted.\n"
    db.session.rollback()
    assert db.session.scalar(select(func.count(SelfIdentification.id))) == 4
    real = runner.invoke(args=["pathway", "purge", "--cycle", cycle.slug])
    assert real.exit_code == 0, real.output
    assert real.output.splitlines()[0] == f"Deleted 3 answer(s) of {cycle.name}. Counts kept:"
    db.session.rollback()
    assert db.session.scalar(select(func.count(SelfIdentification.id))) == 1


def test_cli_purge_refuses_with_a_message(app, answered):
    cycle, *_ = answered
    db.session.commit()
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["pathway", "purge", "--cycle", cycle.slug])
    assert refused.exit_code == 1
    assert f"Error: The {cycle.name} cycle is not closed; its answers are kept." in refused.output
    unknown = runner.invoke(args=["pathway", "purge", "--cycle", "no-such-cycle"])
    assert "Error: No cycle has the short name 'no-such-cycle'." in unknown.output


def test_cli_purge_retention_override(app, answered):
    cycle, *_ = answered
    cycle.closed_at = utcnow() - timedelta(days=10)
    db.session.commit()
    result = app.test_cli_runner().invoke(
        args=["pathway", "purge", "--cycle", cycle.slug, "--retention-days", "7"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"Deleted 3 answer(s) of {cycle.name}. Counts kept:"


def test_purge_keeps_no_small_group_nor_a_total_that_would_reveal_one(app):
    cycle = make_cycle(closed_at=utcnow() - timedelta(days=400))
    for n in range(8):
        categories = ["Black or African American"] if n < 5 else []
        if n == 5:
            categories = ["American Indian or Alaska Native"]
        make_self_identification(
            make_student(),
            cycle,
            identifies=Identification.YES if n < 6 else Identification.NO,
            categories=categories,
        )
    result = purge_answers(cycle, retention_days=365, now=utcnow(), by=None)
    db.session.commit()
    # 6 yes and 2 no: the 2 is hidden, and the 6 with it (8 answered minus 6 would be 2).
    expected = {(1, "answered", "all"): 8, (1, "category", "Black or African American"): 5}
    assert (result.deleted, result.counts, _counts(cycle)) == (8, expected, expected)
