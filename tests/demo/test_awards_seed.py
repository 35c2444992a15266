"""The demo season has award applicants in every state, a budget partly spent, pathway students."""

from __future__ import annotations

from sqlalchemy import func, select

from clerkship.applications.models import Application
from clerkship.awards import queries
from clerkship.awards.models import AwardApplication, AwardSettings, AwardState
from clerkship.cycles.models import Department
from clerkship.extensions import db
from clerkship.pathway.models import PathwayDecision, SelfIdentification


def test_demo_has_award_applicants_in_every_state_and_a_partly_spent_budget(app, demo_season):
    states = set(db.session.scalars(select(AwardApplication.state)))
    assert states == set(AwardState)
    settings = db.session.scalar(select(AwardSettings))
    budget = queries.budget(settings)
    assert (budget.total_cents, budget.committed_cents, budget.paid_cents) == (
        20000_00,
        3000_00 + 2000_00 + 1000_00,  # awarded, rotation completed, needs attention
        2000_00,
    )
    assert settings.committed_cents == budget.committed_cents + budget.paid_cents
    assert 0 < budget.remaining_cents < budget.total_cents


def test_demo_has_pathway_students_in_every_department(app, demo_season):
    flagged = dict(
        db.session.execute(
            select(Department.name, func.count(Application.id))
            .join(Application, Application.department_id == Department.id)
            .where(Application.in_pathway.is_(True))
            .group_by(Department.name)
        ).all()
    )
    assert set(flagged) == {"Emergency Medicine", "Internal Medicine", "Pediatrics", "Psychiatry"}
    assert db.session.scalar(select(func.count(SelfIdentification.id))) == 4
    assert db.session.scalar(select(func.count(PathwayDecision.id))) == 2
    not_flagged = db.session.scalar(
        select(func.count(Application.id)).where(Application.in_pathway.is_(False))
    )
    assert not_flagged >= 2
