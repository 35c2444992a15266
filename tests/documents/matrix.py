"""Who may reach the document endpoints."""

from __future__ import annotations

from clerkship.applications.models import ApplicationState
from clerkship.documents.models import DocumentKind
from tests import factories
from tests.matrix import DEPARTMENT_STAFF, STUDENTS, Rule


def own_document(w) -> int:
    """A CV of "student", who has only a draft: nobody else may open it."""
    if "own_document" not in w.extra:
        w.extra["own_document"] = factories.make_document(w.users["student"], w.cycle)
    return w.extra["own_document"].id


def applicant_document(w) -> int:
    """A transcript of someone with a submitted application to department A."""
    if "applicant_document" not in w.extra:
        student = factories.make_student()
        factories.make_application(student, w.department, w.cycle, state=ApplicationState.SUBMITTED)
        w.extra["applicant_document"] = factories.make_document(
            student, w.cycle, DocumentKind.TRANSCRIPT
        )
    return w.extra["applicant_document"].id


RULES = [
    Rule("documents.index", lambda w: "/documents/", STUDENTS),
    Rule(
        "documents.index",
        lambda w: "/documents/",
        STUDENTS,
        method="POST",
        data=lambda w: {"kind": "cv"},
    ),
    Rule("documents.download", lambda w: f"/documents/{own_document(w)}", frozenset({"student"})),
    Rule("documents.download", lambda w: f"/documents/{applicant_document(w)}", DEPARTMENT_STAFF),
]
