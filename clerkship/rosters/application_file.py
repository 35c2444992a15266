"""What rosters add to the staff application file: verifying a placed student's documents."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import exists, select

from clerkship.accounts.models import User
from clerkship.allocation.models import Placement, PlacementState
from clerkship.applications.actions import FileAction
from clerkship.applications.models import Application
from clerkship.extensions import db
from clerkship.rosters.permissions import can_track_compliance


def file_actions(user: User, application: Application) -> list[FileAction]:
    """Verify documents on the onboarding page: its staff, once the student holds a seat."""
    if not can_track_compliance(user, application.department):
        return []
    held = db.session.scalar(
        select(
            exists().where(
                Placement.application_id == application.id,
                Placement.state == PlacementState.HELD,
            )
        )
    )
    if not held:
        return []
    return [
        FileAction(
            "Verify onboarding documents",
            url_for(
                "onboarding.index", slug=application.department.slug, cycle=application.cycle.slug
            ),
            hint="The department's onboarding page, where placed students' documents are verified.",
            order=30,
        )
    ]
