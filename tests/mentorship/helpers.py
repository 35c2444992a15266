"""Builders for mentorship tests."""

from __future__ import annotations

from clerkship.accounts.models import Role
from clerkship.applications.models import ApplicationState
from clerkship.extensions import db
from clerkship.mentorship.models import AffinityGroup, Mentor, MentorKind
from tests import factories


def make_mentor(department, *, name="Dr. Ada Mentor", capacity=1, offers="", **fields) -> Mentor:
    """An active mentor of department."""
    mentor = Mentor(
        department=department,
        name=name,
        email=fields.pop(
            "email", f"{name.split()[-1].lower()}.{factories._next()}@hospital.example.org"
        ),
        kind=fields.pop("kind", MentorKind.RESIDENT),
        capacity=capacity,
        offers=offers,
        **fields,
    )
    db.session.add(mentor)
    db.session.flush()
    return mentor


def make_group(name="First-generation", contact_email="firstgen@example.org") -> AffinityGroup:
    """An affinity group offered to students."""
    group = AffinityGroup(name=name, contact_email=contact_email, description="")
    db.session.add(group)
    db.session.flush()
    return group


def make_season():
    """A cycle, a department with a block, its coordinator, and a pathway student who applied."""
    cycle = factories.make_cycle()
    department = factories.make_department()
    block = factories.make_block(factories.make_rotation(department), cycle)
    coordinator = factories.make_user(
        (Role.COORDINATOR, department), full_name="Cora Coordinator", email="cora@example.org"
    )
    student = factories.make_student(full_name="Amara Okafor", email="amara@med.example.edu")
    factories.make_rotation_application(
        student,
        cycle,
        department,
        blocks=(block,),
        state=ApplicationState.ACCEPTED,
        in_pathway=True,
    )
    return cycle, department, block, coordinator, student
