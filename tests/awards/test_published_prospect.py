"""A student who enters the UIM pathway after a department published its allocation is told
what that means there: reserved seats can still come through waitlist moves and later runs,
not through the published offers."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from clerkship.allocation.engine import Precedence
from clerkship.allocation.models import AllocationRun, RunState
from clerkship.applications.models import ApplicationState
from clerkship.awards.models import AwardApplication, AwardSettings
from clerkship.core.time import to_local
from clerkship.extensions import db
from clerkship.pathway.queries import reserved_seat_prospect
from tests.awards.helpers import ready_student, text_of
from tests.awards.test_views import _form
from tests.conftest import login
from tests.factories import make_award_settings, make_cycle

PUBLISHED_AT = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)


def _publish(department, cycle) -> str:
    """A published run of the department's allocation; the local date it was published."""
    db.session.add(
        AllocationRun(
            department=department,
            cycle=cycle,
            state=RunState.PUBLISHED,
            precedence=Precedence.RESERVED_FIRST,
            hard_reserves=False,
            inputs={"students": []},
            result={},
            published_at=PUBLISHED_AT,
        )
    )
    db.session.flush()
    return f"{to_local(PUBLISHED_AT).date():%B %-d, %Y}"


def test_prospect_before_and_after_the_department_publishes(app):
    ready = ready_student()
    assert reserved_seat_prospect(ready.department, ready.cycle) == (
        f"{ready.department.name} considers you for the seats reserved for the UIM pathway"
    )
    on = _publish(ready.department, ready.cycle)
    assert reserved_seat_prospect(ready.department, ready.cycle) == (
        f"Allocation in {ready.department.name} was published on {on}: reserved seats can "
        "still come to you through waitlist moves and any later run, not through the "
        "published offers"
    )


def test_applying_for_the_award_after_publication_says_what_it_means(client, mailbox):
    cycle = make_cycle()
    make_award_settings(cycle)
    ready = ready_student(cycle=cycle, settings=db.session.scalar(select(AwardSettings)))
    db.session.delete(ready.award)
    on = _publish(ready.department, cycle)
    db.session.commit()
    login(client, ready.student)
    client.post(f"/awards/{cycle.slug}/", data=_form(ready, action="save", version=""))
    award = db.session.scalar(select(AwardApplication))
    response = client.post(
        f"/awards/{cycle.slug}/",
        data=_form(ready, version=str(award.version)),
        follow_redirects=True,
    )
    told = (
        f"Allocation in {ready.department.name} was published on {on}: reserved seats can "
        "still come to you through waitlist moves and any later run, not through the "
        "published offers."
    )
    html = response.get_data(as_text=True)
    assert f"You are now in the UIM pathway. {told}" in html
    assert "will consider you" not in html
    assert f"  - {told}" in text_of(mailbox.last_to(ready.student.email))
    panel = client.get(f"/applications/{ready.application.id}/review").get_data(as_text=True)
    assert told[:-1] in panel


def test_self_identifying_after_publication_says_what_it_means(client, app):
    ready = ready_student()
    ready.application.state = ApplicationState.SUBMITTED
    on = _publish(ready.department, ready.cycle)
    db.session.commit()
    login(client, ready.student)
    response = client.post(
        f"/pathway/{ready.cycle.slug}/self-identification",
        data={"identifies": "yes", "categories": ["Black or African American"], "version": ""},
        follow_redirects=True,
    )
    assert (
        f"Your answers are saved. Allocation in {ready.department.name} was published on {on}: "
        "reserved seats can still come to you through waitlist moves and any later run, not "
        "through the published offers."
    ) in response.get_data(as_text=True)
