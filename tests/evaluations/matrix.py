"""Who may reach the evaluations' endpoints. A reviewer of the department (not asked to
evaluate) is refused every evaluation page, as everyone but its directors and admins."""

from __future__ import annotations

from clerkship.accounts.models import Role
from clerkship.evaluations import services
from tests import factories
from tests.evaluations.helpers import save_form
from tests.matrix import ADMIN, DEPARTMENT_MANAGERS, EVERYONE, SIGNED_IN, STUDENTS, Rule


def evaluation_world(w) -> dict:
    """A placed student, the department's form and an evaluation a faculty member drafts."""
    if "evaluation" not in w.extra:
        _application, placement = factories.make_placed_student(w.block)
        save_form(w.department, w.users["director"], sloe=True)
        faculty = factories.make_user((Role.REVIEWER, w.department))
        evaluation = services.assign_faculty(placement, faculty, by=w.users["director"])
        school = services.save_home_school(
            None,
            name="Matrix School of Medicine",
            contact_name="Registrar",
            contact_email="registrar@matrix.example.edu",
            active=True,
            by=w.users["admin"],
        )
        w.extra["evaluation"] = {"placement": placement, "evaluation": evaluation, "school": school}
    return w.extra["evaluation"]


def _evaluation(w) -> str:
    return f"/evaluations/{evaluation_world(w)['evaluation'].id}"


def _department(w) -> str:
    return f"/departments/{w.department.slug}"


RULES = [
    Rule(
        "evaluations.edit_form", lambda w: _department(w) + "/evaluation-form", DEPARTMENT_MANAGERS
    ),
    Rule(
        "evaluations.edit_form",
        lambda w: _department(w) + "/evaluation-form",
        DEPARTMENT_MANAGERS,
        "POST",
    ),
    Rule(
        "evaluations.index",
        lambda w: f"{_department(w)}/evaluations?cycle={w.cycle.slug}",
        DEPARTMENT_MANAGERS,
    ),
    Rule(
        "evaluations.assign",
        lambda w: f"{_department(w)}/evaluations/{evaluation_world(w)['placement'].id}/assign",
        DEPARTMENT_MANAGERS,
        "POST",
    ),
    Rule("evaluations.assigned", lambda w: "/evaluations/assigned", SIGNED_IN),
    Rule("evaluations.edit", _evaluation, DEPARTMENT_MANAGERS),
    Rule("evaluations.edit", _evaluation, DEPARTMENT_MANAGERS, "POST"),
    Rule(
        "evaluations.finalise", lambda w: _evaluation(w) + "/finalise", DEPARTMENT_MANAGERS, "POST"
    ),
    Rule("evaluations.letter", lambda w: _evaluation(w) + "/letter", DEPARTMENT_MANAGERS),
    Rule("evaluations.send", lambda w: _evaluation(w) + "/send", DEPARTMENT_MANAGERS, "POST"),
    Rule("home_schools.index", lambda w: "/setup/home-schools/", ADMIN),
    Rule("home_schools.edit", lambda w: "/setup/home-schools/new", ADMIN),
    Rule("home_schools.edit", lambda w: "/setup/home-schools/new", ADMIN, "POST"),
    Rule("student_evaluations.index", lambda w: "/my/evaluations/", STUDENTS),
    Rule("student_evaluations.index", lambda w: "/my/evaluations/", STUDENTS, "POST"),
    Rule("home_school.open", lambda w: "/evaluation-link/not-a-token", EVERYONE),
    Rule("home_school.download", lambda w: "/evaluation-link/not-a-token", EVERYONE, "POST"),
]
