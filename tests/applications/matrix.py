"""Who may reach the application endpoints: the student's wizard and the department's pages."""

from __future__ import annotations

from clerkship.applications.models import ApplicationState
from tests import factories
from tests.matrix import DEPARTMENT_MANAGERS, DEPARTMENT_STAFF, STUDENTS, Rule

OWNER = frozenset({"student"})


def draft(w) -> int:
    """A draft of "student" in department A."""
    if "draft" not in w.extra:
        w.extra["draft"] = factories.make_application(
            w.users["student"], w.department, w.cycle, blocks=[w.block]
        )
    return w.extra["draft"].id


def submitted(w) -> int:
    """A submitted application of a student outside the matrix's roles, in department A."""
    if "submitted" not in w.extra:
        w.extra["submitted"] = factories.make_application(
            factories.make_student(),
            w.department,
            w.cycle,
            blocks=[w.block],
            state=ApplicationState.SUBMITTED,
        )
    return w.extra["submitted"].id


def _app(w, tail: str = "") -> str:
    return f"/applications/{draft(w)}{tail}"


def _dept(w, tail: str) -> str:
    return f"/departments/{w.department.slug}{tail}"


def selection(w) -> dict:
    """Every submitted application of the list of department A (one, from submitted())."""
    submitted(w)
    return {
        "selection_source": "applications",
        "selection_scope": f"cycle={w.cycle.slug}",
        "selection_all": "1",
    }


RULES = [
    Rule("applications.profile", lambda w: "/profile", STUDENTS),
    Rule(
        "applications.profile",
        lambda w: "/profile",
        STUDENTS,
        method="POST",
        data=lambda w: {"legal_first_name": ""},
    ),
    Rule("applications.index", lambda w: "/applications/", STUDENTS),
    Rule(
        "applications.create",
        lambda w: "/applications/new",
        STUDENTS,
        method="POST",
        data=lambda w: {"cycle_id": w.cycle.id, "department_id": w.department.id},
    ),
    Rule("applications.choices", lambda w: _app(w, "/blocks"), OWNER),
    Rule(
        "applications.choices",
        lambda w: _app(w, "/blocks"),
        OWNER,
        method="POST",
        data=lambda w: {"action": "up", "block_id": w.block.id, "version": "1"},
    ),
    Rule("applications.statement", lambda w: _app(w, "/statement"), OWNER),
    Rule(
        "applications.statement",
        lambda w: _app(w, "/statement"),
        OWNER,
        method="POST",
        data=lambda w: {"personal_statement": "Hello.", "version": "0"},
    ),
    Rule("applications.documents", lambda w: _app(w, "/documents"), OWNER),
    Rule(
        "applications.documents",
        lambda w: _app(w, "/documents"),
        OWNER,
        method="POST",
        data=lambda w: {"kind": "cv"},
    ),
    Rule("applications.letters", lambda w: _app(w, "/letters"), OWNER),
    Rule(
        "applications.letters",
        lambda w: _app(w, "/letters"),
        OWNER,
        method="POST",
        data=lambda w: {"writer_name": ""},
    ),
    Rule("applications.review", lambda w: _app(w, "/review"), OWNER),
    Rule(
        "applications.submit",
        lambda w: _app(w, "/submit"),
        OWNER,
        method="POST",
        data=lambda w: {"version": "1"},
    ),
    Rule("applications.withdraw", lambda w: _app(w, "/withdraw"), OWNER),
    Rule("applications.withdraw", lambda w: _app(w, "/withdraw"), OWNER, method="POST"),
    Rule("applications.status", lambda w: _app(w), OWNER),
    Rule("staff_applications.index", lambda w: _dept(w, "/applications/"), DEPARTMENT_STAFF),
    Rule(
        "staff_applications.export",
        lambda w: _dept(w, "/applications/export?format=xlsx"),
        DEPARTMENT_STAFF,
    ),
    Rule(
        "staff_applications.export_selected",
        lambda w: _dept(w, "/applications/export-selected?format=csv"),
        DEPARTMENT_STAFF,
        method="POST",
        data=selection,
    ),
    Rule(
        "staff_applications.remind_selected",
        lambda w: _dept(w, "/applications/remind-selected"),
        DEPARTMENT_STAFF,
        method="POST",
        data=selection,
    ),
    Rule(
        "staff_applications.show",
        lambda w: _dept(w, f"/applications/{submitted(w)}"),
        DEPARTMENT_STAFF,
    ),
    Rule(
        "staff_applications.packet",
        lambda w: _dept(w, f"/applications/{submitted(w)}/packet.pdf"),
        DEPARTMENT_STAFF,
    ),
    Rule("staff_applications.compliance", lambda w: _dept(w, "/compliance"), DEPARTMENT_STAFF),
    Rule(
        "staff_applications.settings",
        lambda w: _dept(w, "/application-settings"),
        DEPARTMENT_MANAGERS,
    ),
    Rule(
        "staff_applications.settings",
        lambda w: _dept(w, "/application-settings"),
        DEPARTMENT_MANAGERS,
        method="POST",
        data=lambda w: {"max_choices": "0"},
    ),
]
