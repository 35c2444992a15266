"""The demo's rotation surveys: one rotation shows aggregates, another the notice."""

from __future__ import annotations

from sqlalchemy import select

from clerkship.cycles.models import Cycle, Department
from clerkship.extensions import db
from clerkship.surveys import queries


def _past_results(slug: str):
    department = db.session.scalar(select(Department).where(Department.slug == slug))
    # Last season: the cycle before the current one (the demo's older seasons come before it).
    past = db.session.scalars(select(Cycle).order_by(Cycle.rotations_start_on.desc())).all()[1]
    return [r for r in queries.results(department, past) if r.answers]


def test_demo_emergency_medicine_shows_aggregates_and_pediatrics_the_notice(app, demo_season):
    (em,) = _past_results("emergency-medicine")
    assert (em.answers, em.shown) == (5, True)
    assert len(em.versions[0].questions[-1].comments) == 4
    (peds,) = _past_results("pediatrics")
    assert (peds.answers, peds.shown) == (1, False)
