"""The season of the start-page tests: one department with staff of every role, another beside it."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest

from clerkship.accounts.models import Role, User
from clerkship.applications.models import ApplicationState
from clerkship.awards.models import AwardState
from clerkship.core.time import local_today, utcnow
from clerkship.cycles.models import Block, Cycle, Department
from clerkship.documents.models import DocumentKind
from clerkship.extensions import db
from clerkship.offers.models import OfferState
from clerkship.outbox.models import MessageState
from clerkship.outbox.services import queue_message
from tests import factories


def panel(page: str, key: str) -> str:
    """The text of one start-page panel, tags removed and spaces collapsed ("" if absent)."""
    found = re.search(rf'<section[^>]*id="panel-{re.escape(key)}".*?</section>', page, re.S)
    if not found:
        return ""
    text = html.unescape(re.sub(r"<[^>]+>", " ", found.group(0)))
    return re.sub(r"\s+", " ", text).strip()


def links(page: str, key: str) -> list[str]:
    found = re.search(rf'<section[^>]*id="panel-{re.escape(key)}".*?</section>', page, re.S)
    return re.findall(r'href="([^"]+)"', found.group(0)) if found else []


@dataclass
class Season:
    cycle: Cycle
    department: Department
    other: Department
    july: Block
    august: Block
    users: dict[str, User]


@pytest.fixture
def season(app) -> Season:
    """The season of build_season, committed."""
    return build_season()


def build_season() -> Season:
    """Emergency Medicine (July and August blocks) with a student, a reviewer, a director, a
    coordinator; Pediatrics with its own director; an award committee member; an admin."""
    cycle = factories.make_cycle()
    department = factories.make_department(
        name="Emergency Medicine", slug="emergency-medicine", required_documents="immunizations,bls"
    )
    other = factories.make_department(name="Pediatrics", slug="pediatrics")
    rotation = factories.make_rotation(department, title="Emergency Medicine Sub-Internship")
    july = factories.make_block(rotation, cycle, month=7, capacity=6, reserved=2)
    august = factories.make_block(rotation, cycle, month=8, capacity=6, reserved=2)
    factories.make_block(factories.make_rotation(other), cycle, month=7, capacity=4)
    users = {
        "student": factories.make_student(full_name="Nia Thompson"),
        "reviewer": factories.make_user((Role.REVIEWER, department)),
        "director": factories.make_user((Role.DIRECTOR, department), (Role.REVIEWER, department)),
        "other_director": factories.make_user((Role.DIRECTOR, other)),
        "coordinator": factories.make_user((Role.COORDINATOR, department)),
        "committee": factories.make_user(Role.AWARD_COMMITTEE),
        "admin": factories.make_user(Role.ADMIN),
    }
    db.session.commit()
    return Season(cycle, department, other, july, august, users)


def offered(season: Season, student: User | None = None, *, state=OfferState.PENDING, block=None):
    block = block or season.july
    application = factories.make_application(
        student or factories.make_student(),
        blocks=[block],
        state=ApplicationState.ACCEPTED
        if state is OfferState.ACCEPTED
        else ApplicationState.OFFERED,
    )
    return factories.make_placement(application, block, offer_state=state)


def fill_for_every_role(season: Season) -> None:
    """Something waiting on every role's start page: an offer and an invitation for the
    student, an overdue review, placed students with documents to verify, award applications,
    a failed email, an invitation not accepted."""
    student = season.users["student"]
    placement = offered(season, student)
    placement.application.offers[0].expires_at = utcnow() + timedelta(hours=30)
    interviews = factories.make_season(season.department, season.cycle)
    factories.make_day(interviews, days_ahead=12, capacity=6)
    factories.make_day(interviews, days_ahead=13, capacity=4, reserved=True)
    factories.make_invitation(interviews, student)
    review_round = factories.make_review_round(season.department, season.cycle)
    for reviewer, days in ((season.users["reviewer"], -2), (season.users["director"], 4)):
        factories.make_assignment(
            review_round,
            factories.make_application(blocks=[season.august], state=ApplicationState.SUBMITTED),
            reviewer,
            due_on=local_today() + timedelta(days=days),
        )
    for _ in range(2):
        placed = factories.make_student()
        offered(season, placed, state=OfferState.ACCEPTED)
        factories.make_document(placed, season.cycle, DocumentKind.IMMUNIZATIONS)
    factories.make_application(blocks=[season.august], state=ApplicationState.WAITLISTED)
    factories.make_award_settings(season.cycle, budget=10_000_00)
    factories.make_award_application(
        factories.make_application(blocks=[season.august], state=ApplicationState.SUBMITTED),
        state=AwardState.SUBMITTED,
    )
    message = queue_message(
        student.email, "About your file", "Hello", recipient=student, department=season.department
    )
    message.state = MessageState.FAILED
    message.last_error = "550 5.1.1 No such user"
    factories.make_user(Role.AWARD_COMMITTEE, password=None, invited_at=utcnow())
    db.session.commit()
