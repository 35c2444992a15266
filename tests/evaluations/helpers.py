"""An evaluation ready to write: a department's form, a placed student, an assigned faculty."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from clerkship.accounts.models import Role, User
from clerkship.allocation.models import Placement
from clerkship.applications.models import ApplicationState
from clerkship.core.time import local_today
from clerkship.cycles.models import Department
from clerkship.evaluations import services
from clerkship.evaluations.models import EvaluationFormVersion, HomeSchool, RotationEvaluation
from clerkship.extensions import db
from clerkship.reviews.rubrics.services import CriterionInput
from clerkship.rotations.models import RotationState
from tests import factories

GRADES = ["Honors", "High pass", "Pass", "Fail"]


def criteria(*names: str) -> list[CriterionInput]:
    """Criteria on a 1-3 scale, each level with its anchor."""
    return [
        CriterionInput(
            name=name,
            weight=Decimal(1),
            descriptions={
                1: f"{name}: needs help",
                2: f"{name}: as expected",
                3: f"{name}: beyond",
            },
            index=index,
        )
        for index, name in enumerate(names)
    ]


def save_form(department: Department, director: User, *names: str, based_on=None, **fields):
    return services.save_form_version(
        department,
        title=fields.pop("title", "Visiting student evaluation"),
        scale_low=1,
        scale_high=3,
        criteria=criteria(*(names or ("Patient care", "Communication"))),
        grades=fields.pop("grades", GRADES),
        student_sees_content=fields.pop("student_sees_content", False),
        sloe=fields.pop("sloe", False),
        based_on=based_on,
        by=director,
    )


@dataclass
class Ready:
    department: Department
    director: User
    faculty: User
    placement: Placement
    form: EvaluationFormVersion
    evaluation: RotationEvaluation
    school: HomeSchool


def ready_evaluation(
    *, ended_days_ago: int = 2, rotation=RotationState.COMPLETED, sloe: bool = False
) -> Ready:
    """A completed rotation, the department's form, a faculty member asked to evaluate, and
    the student's home school chosen."""
    ends_on = local_today() - timedelta(days=ended_days_ago)
    block = factories.make_block(starts_on=ends_on - timedelta(days=27), ends_on=ends_on)
    department = block.rotation.department
    application, placement = factories.make_placed_student(
        block,
        student=factories.make_student(full_name="Imani Brooks"),
        state=ApplicationState.COMPLETED
        if rotation is RotationState.COMPLETED
        else ApplicationState.ACCEPTED,
    )
    factories.make_rotation_record(placement, state=rotation)
    director = factories.make_user((Role.DIRECTOR, department), full_name="Dr. Dana Director")
    faculty = factories.make_user((Role.REVIEWER, department), full_name="Dr. Farah Faculty")
    form = save_form(department, director, sloe=sloe)
    evaluation = services.assign_faculty(placement, faculty, by=director)
    school = db.session.scalar(select(HomeSchool)) or services.save_home_school(
        None,
        name="Howard University College of Medicine",
        contact_name="Office of the Registrar",
        contact_email="Registrar@Howard.example.edu",
        active=True,
        by=factories.make_user(Role.ADMIN),
    )
    services.choose_home_school(application.student, school, by=application.student)
    return Ready(department, director, faculty, placement, form, evaluation, school)


def write_complete_draft(ready: Ready) -> None:
    services.save_draft(
        ready.evaluation,
        levels={c.id: 3 for c in ready.form.criteria},
        grade="Honors",
        narrative="Led the team's handoffs with care.",
        by=ready.faculty,
        today=local_today(),
    )
