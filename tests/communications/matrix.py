"""Who may reach the communications endpoints: writing to students, templates, Messages."""

from __future__ import annotations

from clerkship.communications.models import MessageTemplate
from clerkship.extensions import db
from tests.matrix import DEPARTMENT_MANAGERS, DEPARTMENT_STAFF, STUDENTS, Rule


def _template(w) -> int:
    """A template of department A (built once per world)."""
    if "message_template" not in w.extra:
        template = MessageTemplate(
            department=w.department, name="Welcome", subject="Hi", body="Hello {preferred_name}"
        )
        db.session.add(template)
        db.session.flush()
        w.extra["message_template"] = template.id
    return w.extra["message_template"]


def _dept(w, tail: str) -> str:
    return f"/departments/{w.department.slug}{tail}"


def _selection(w) -> dict:
    """All submitted applications of department A in the world's cycle."""
    return {
        "selection_source": "applications",
        "selection_scope": f"cycle={w.cycle.slug}",
        "selection_all": "1",
    }


RULES = [
    Rule("communications.sent", lambda w: _dept(w, "/messages/"), DEPARTMENT_STAFF),
    Rule("communications.compose", lambda w: _dept(w, "/messages/new"), DEPARTMENT_STAFF),
    Rule(
        "communications.compose",
        lambda w: _dept(w, "/messages/new"),
        DEPARTMENT_STAFF,
        method="POST",
        data=_selection,
    ),
    Rule("communications.templates", lambda w: _dept(w, "/message-templates/"), DEPARTMENT_STAFF),
    Rule(
        "communications.edit_template",
        lambda w: _dept(w, f"/message-templates/{_template(w)}"),
        DEPARTMENT_MANAGERS,
    ),
    Rule(
        "communications.edit_template",
        lambda w: _dept(w, "/message-templates/new"),
        DEPARTMENT_MANAGERS,
        method="POST",
        data=lambda w: {"name": "", "subject": "", "body": ""},
    ),
    Rule(
        "communications.delete_template",
        lambda w: _dept(w, f"/message-templates/{_template(w)}/delete"),
        DEPARTMENT_MANAGERS,
        method="POST",
    ),
    Rule(
        "communications.edit_automatic",
        lambda w: _dept(w, "/automatic-emails/offer_made"),
        DEPARTMENT_MANAGERS,
    ),
    Rule(
        "communications.edit_automatic",
        lambda w: _dept(w, "/automatic-emails/offer_made"),
        DEPARTMENT_MANAGERS,
        method="POST",
        data=lambda w: {"subject": "", "body": ""},
    ),
    Rule(
        "communications.reset_automatic",
        lambda w: _dept(w, "/automatic-emails/offer_made/reset"),
        DEPARTMENT_MANAGERS,
        method="POST",
    ),
    Rule("communications.inbox", lambda w: "/messages", STUDENTS),
]
