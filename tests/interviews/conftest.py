"""A department with an interview season, and invitees in and outside the pathway."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from clerkship.accounts.models import Role, User
from clerkship.interviews.models import InterviewSeason, Invitation
from tests.factories import make_department, make_invitation, make_season, make_user


@dataclass
class Setting:
    season: InterviewSeason
    director: User
    pathway: Invitation  # an invitee in the UIM pathway
    other: Invitation  # an invitee outside it


@pytest.fixture
def setting(app) -> Setting:
    department = make_department(
        name="Emergency Medicine", slug="emergency-medicine", contact_email="em@keck.example.edu"
    )
    season = make_season(department)
    director = make_user((Role.DIRECTOR, department), full_name="Dr. Elena Ruiz")
    return Setting(
        season=season,
        director=director,
        pathway=make_invitation(season, pathway=True),
        other=make_invitation(season, pathway=False),
    )
