"""A department with placed students, shared by the rosters tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest

from clerkship.accounts.models import Role, User
from clerkship.allocation.engine import SeatType
from clerkship.applications.models import Application, ApplicationState
from clerkship.cycles.models import Block, Cycle, Department
from clerkship.extensions import db
from clerkship.offers.models import OfferState
from tests import factories


@dataclass
class Season:
    department: Department
    cycle: Cycle
    july: Block
    august: Block
    placed: list[Application]
    users: dict[str, User] = field(default_factory=dict)


@pytest.fixture
def season(app) -> Season:
    """The department of the rosters tests (build_season)."""
    return build_season()


def build_season() -> Season:
    """Emergency Medicine: Ana (July, open, accepted), "=Bad" (July, reserved, pathway),
    Chen (August, converted, pathway, pending); Dee applied but holds no seat."""
    department = factories.make_department(
        name="Emergency Medicine", slug="emergency-medicine", required_documents="immunizations,bls"
    )
    cycle = factories.make_cycle()
    site = factories.make_site(name="LA General", short_name="LAG")
    rotation = factories.make_rotation(department, site, code="EM-401", title="Emergency Medicine")
    july = factories.make_block(rotation, cycle, month=7, capacity=6, reserved=3)
    august = factories.make_block(rotation, cycle, month=8, capacity=6, reserved=3)

    def applicant(name, email, block, *, pathway=False, **profile):
        student = factories.make_student(full_name=name, email=email)
        factories.make_profile(student, **profile)
        return factories.make_application(
            student, blocks=[block], state=ApplicationState.SUBMITTED, in_pathway=pathway
        )

    ana = applicant(
        "Ana Alvarez", "ana@example.org", july, preferred_name="Ani", pronouns="she/her"
    )
    bad = applicant(
        '=HYPERLINK("http://x")',
        "bad@example.org",
        july,
        pathway=True,
        medical_school='School, "Quoted"\nSecond line',
        phone="+1 213 555 0100",
        pronouns="-",
        preferred_name="@me",
    )
    chen = applicant("Chen Li", "chen@example.org", august, pathway=True, medical_school="Keck")
    dee = applicant("Dee Do", "dee@example.org", august)
    factories.make_placement(ana, july, offer_state=OfferState.ACCEPTED)
    ana.state = ApplicationState.ACCEPTED
    factories.make_placement(bad, july, seat_type=SeatType.RESERVED)
    factories.make_placement(chen, august, seat_type=SeatType.CONVERTED)
    for s in (ana, bad, chen):
        if s is not ana:
            s.state = ApplicationState.OFFERED
    # Ana: immunizations valid through the block, BLS expiring during it; Chen: nothing.
    factories.make_document(ana.student, cycle, factories.DocumentKind.IMMUNIZATIONS)
    factories.make_document(
        ana.student, cycle, factories.DocumentKind.BLS, expires_on=date(july.starts_on.year, 7, 10)
    )
    users = {
        "coordinator": factories.make_user(
            (Role.COORDINATOR, department), email="coord@example.org"
        ),
        "director": factories.make_user((Role.DIRECTOR, department)),
        "reviewer": factories.make_user((Role.REVIEWER, department)),
        "admin": factories.make_user(Role.ADMIN, email="admin@example.org"),
        "committee": factories.make_user(Role.AWARD_COMMITTEE),
        "other_coordinator": factories.make_user((Role.COORDINATOR, factories.make_department())),
    }
    db.session.flush()
    del dee
    return Season(department, cycle, july, august, [ana, bad, chen], users)
