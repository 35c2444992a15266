"""Who may reach the rosters endpoints."""

from __future__ import annotations

from clerkship.applications.models import ApplicationState
from clerkship.documents.models import DocumentKind
from tests import factories
from tests.matrix import DEPARTMENT_STAFF, Rule

INSTITUTION = frozenset({"admin", "committee"})


def _department(w) -> str:
    return f"/departments/{w.department.slug}"


def _document(w) -> int:
    """An immunization record of a student placed in this department (built once per world)."""
    if "roster_document" not in w.extra:
        student = factories.make_student(full_name="Placed Student")
        application = factories.make_application(
            student, blocks=[w.block], state=ApplicationState.OFFERED
        )
        factories.make_placement(application, w.block)
        document = factories.make_document(student, w.cycle, DocumentKind.IMMUNIZATIONS)
        w.extra["roster_document"] = document.id
    return w.extra["roster_document"]


def _season(w) -> str:
    if "roster_season" not in w.extra:
        w.extra["roster_season"] = factories.make_season(w.department, w.cycle).id
    return w.cycle.slug


RULES = [
    Rule(
        "rosters.roster",
        lambda w: f"{_department(w)}/rosters/?cycle={w.cycle.slug}",
        DEPARTMENT_STAFF,
    ),
    Rule(
        "rosters.export",
        lambda w: f"{_department(w)}/rosters/export?cycle={w.cycle.slug}&format=csv",
        DEPARTMENT_STAFF,
    ),
    Rule(
        "rosters.interview_schedule",
        lambda w: f"{_department(w)}/rosters/interviews.xlsx?cycle={_season(w)}",
        DEPARTMENT_STAFF,
    ),
    Rule(
        "rosters.award_roster", lambda w: f"/rosters/awards.csv?cycle={w.cycle.slug}", INSTITUTION
    ),
    Rule(
        "onboarding.index",
        lambda w: f"{_department(w)}/onboarding/?cycle={w.cycle.slug}",
        DEPARTMENT_STAFF,
    ),
    Rule(
        "onboarding.verify",
        lambda w: f"{_department(w)}/onboarding/documents/{_document(w)}/verify",
        DEPARTMENT_STAFF,
        method="POST",
    ),
    Rule(
        "onboarding.document",
        lambda w: f"{_department(w)}/onboarding/documents/{_document(w)}",
        DEPARTMENT_STAFF,
    ),
    Rule(
        "onboarding.reject",
        lambda w: f"{_department(w)}/onboarding/documents/{_document(w)}/reject",
        DEPARTMENT_STAFF,
        method="POST",
    ),
    Rule(
        "onboarding.undo",
        lambda w: f"{_department(w)}/onboarding/documents/{_document(w)}/undo",
        DEPARTMENT_STAFF,
        method="POST",
    ),
    Rule(
        "onboarding.verify_selected",
        lambda w: f"{_department(w)}/onboarding/verify-selected?cycle={w.cycle.slug}",
        DEPARTMENT_STAFF,
        method="POST",
        data=lambda w: {
            "selection_source": "onboarding",
            "selection_scope": f"cycle={w.cycle.slug}",
            "selection_all": "1",
        },
    ),
    Rule(
        "onboarding.remind",
        lambda w: f"{_department(w)}/onboarding/remind?cycle={w.cycle.slug}",
        DEPARTMENT_STAFF,
        method="POST",
    ),
    Rule(
        "dashboards.department",
        lambda w: f"{_department(w)}/dashboard?cycle={w.cycle.slug}",
        DEPARTMENT_STAFF,
    ),
    Rule("dashboards.institution", lambda w: f"/dashboard?cycle={w.cycle.slug}", INSTITUTION),
]
