"""The demo's placed students: rosters, compliance and charts have something to show."""

from __future__ import annotations

from sqlalchemy import func, select

from clerkship.allocation.models import Placement, PlacementState
from clerkship.applications.models import Application
from clerkship.cycles.models import Department
from clerkship.documents.models import Document
from clerkship.extensions import db
from clerkship.offers.models import Offer, OfferState


def test_demo_places_students_outside_emergency_medicine_with_verified_documents(app, demo_season):
    held = dict(
        db.session.execute(
            select(Department.slug, func.count(Placement.id))
            .join(Application, Application.department_id == Department.id)
            .join(Placement, Placement.application_id == Application.id)
            .where(Placement.state == PlacementState.HELD)
            .group_by(Department.slug)
        ).all()
    )
    assert held["pediatrics"] >= 5
    assert held["internal-medicine"] >= 2
    states = set(db.session.scalars(select(Offer.state)))
    assert {OfferState.PENDING, OfferState.ACCEPTED} <= states
    verified = db.session.scalar(
        select(func.count(Document.id)).where(Document.verified_at.is_not(None))
    )
    assert verified > 0
