"""A student ready to submit an award application, for the award tests."""

from __future__ import annotations

from dataclasses import dataclass

from clerkship.accounts.models import Role, User
from clerkship.applications.models import Application, StudentProfile
from clerkship.awards.models import AwardApplication, AwardSettings, AwardState
from clerkship.cycles.models import Cycle, Department
from tests.factories import (
    make_award_application,
    make_award_settings,
    make_block,
    make_cv,
    make_cycle,
    make_department,
    make_eligible_profile,
    make_rotation,
    make_rotation_application,
    make_student,
    make_user,
)


@dataclass
class Ready:
    cycle: Cycle
    department: Department
    student: User
    application: Application
    profile: StudentProfile
    settings: AwardSettings
    award: AwardApplication
    committee: User


def ready_student(
    *, cycle: Cycle | None = None, settings: AwardSettings | None = None, weeks: int = 4, **student
) -> Ready:
    """An eligible student with a draft award application for a rotation of `weeks` weeks."""
    cycle = cycle or make_cycle()
    settings = settings or make_award_settings(cycle)
    department = make_department()
    block = make_block(make_rotation(department, weeks=weeks), cycle)
    person = make_student(**student)
    application = make_rotation_application(person, cycle, department, blocks=(block,))
    profile = make_eligible_profile(person, cycle)
    make_cv(person, cycle)
    award = make_award_application(application, state=AwardState.DRAFT)
    committee = make_user(Role.AWARD_COMMITTEE)
    return Ready(cycle, department, person, application, profile, settings, award, committee)


def text_of(message) -> str:
    """An email's plain-text body with plain newlines."""
    from tests.conftest import body_of

    return body_of(message).replace("\r\n", "\n")


def rotation_held(ready: Ready, *, ends_in_days: int = -1):
    """The student accepted a seat in the award's block, which ends `ends_in_days` from today
    (yesterday unless said); returns the block."""
    from datetime import timedelta

    from clerkship.applications.models import ApplicationState
    from clerkship.core.time import local_today
    from clerkship.offers.models import OfferState
    from tests.factories import make_placement

    block = ready.application.choices[0].block
    block.ends_on = local_today() + timedelta(days=ends_in_days)
    block.starts_on = block.ends_on - timedelta(days=27)
    ready.application.state = ApplicationState.ACCEPTED
    make_placement(ready.application, block, offer_state=OfferState.ACCEPTED)
    return block


def complete_rotation(ready: Ready, by: User, *, today=None, reason: str = "") -> None:
    """The rotation's completion recorded through the one completion service (the award
    follows it): the student arrived on the block's first day, as the coordinator recorded."""
    from clerkship.core.time import local_today
    from clerkship.rotations import queries, services
    from tests.factories import make_rotation_record

    placement = queries.held_placement_of(ready.application)
    record = queries.record_of(placement) or make_rotation_record(placement)
    services.record_completion(record, by=by, today=today or local_today(), override_reason=reason)
