"""Who may reach the pathway's endpoints."""

from __future__ import annotations

from clerkship.applications.models import ApplicationState
from tests import factories
from tests.matrix import ADMIN, DEPARTMENT_STAFF, STUDENTS, Rule

FLAG_VIEWERS = DEPARTMENT_STAFF | {"committee"}
ANSWER_VIEWERS = frozenset({"committee", "admin"})
FLAG_DECIDERS = frozenset({"director", "admin"})


def pathway_world(w) -> dict:
    """The student's submitted application to department A, built once per world."""
    if "pathway" not in w.extra:
        student = w.users["student"]
        application = factories.make_rotation_application(
            student,
            w.cycle,
            w.department,
            blocks=(w.block,),
            state=ApplicationState.ACCEPTED,
        )
        w.extra["pathway"] = {"application": application}
    return w.extra["pathway"]


def _cycle(w) -> str:
    return f"/pathway/{w.cycle.slug}"


def _flag(w) -> str:
    application = pathway_world(w)["application"]
    return f"/departments/{w.department.slug}/applications/{application.id}/pathway"


RULES = [
    Rule("pathway.overview", lambda w: _cycle(w) + "/", STUDENTS),
    Rule("pathway.self_identification", lambda w: _cycle(w) + "/self-identification", STUDENTS),
    Rule(
        "pathway.self_identification",
        lambda w: _cycle(w) + "/self-identification",
        STUDENTS,
        method="POST",
    ),
    Rule(
        "pathway.remove_self_identification",
        lambda w: _cycle(w) + "/self-identification/remove",
        STUDENTS,
        method="POST",
    ),
    Rule(
        "pathway.answers",
        lambda w: _cycle(w) + f"/students/{w.users['student'].id}/answers",
        ANSWER_VIEWERS,
    ),
    Rule(
        "pathway.department_list",
        lambda w: f"/departments/{w.department.slug}/pathway",
        FLAG_VIEWERS,
    ),
    Rule("pathway.flag", _flag, FLAG_VIEWERS),
    Rule("pathway.flag", _flag, FLAG_DECIDERS, method="POST"),
    Rule("pathway_admin.index", lambda w: "/admin/pathway/", ADMIN),
    Rule("pathway_admin.edit", lambda w: f"/admin/pathway/{w.cycle.slug}", ADMIN),
    Rule("pathway_admin.edit", lambda w: f"/admin/pathway/{w.cycle.slug}", ADMIN, method="POST"),
    Rule("pathway_admin.answer_views", lambda w: "/admin/pathway/answer-views", ADMIN),
]
