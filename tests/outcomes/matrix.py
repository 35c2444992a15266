"""Who may reach the outcome report and the list import."""

from __future__ import annotations

from tests.matrix import DEPARTMENT_MANAGERS, Rule

INSTITUTION_READERS = frozenset({"admin", "committee"})
DEPARTMENT_READERS = frozenset({"director", "admin", "committee"})


def _import(w) -> str:
    return f"/departments/{w.department.slug}/outcomes/{w.cycle.slug}/match-list"


RULES = [
    Rule("outcomes.institution", lambda w: "/outcomes", INSTITUTION_READERS),
    Rule("outcomes.download", lambda w: "/outcomes/download.csv", INSTITUTION_READERS),
    Rule(
        "outcomes.department_report",
        lambda w: f"/departments/{w.department.slug}/outcomes",
        DEPARTMENT_READERS,
    ),
    Rule("outcomes.import_list", _import, DEPARTMENT_MANAGERS),
    Rule("outcomes.import_list", _import, DEPARTMENT_MANAGERS, "POST"),
    Rule("outcomes.confirm_list", lambda w: _import(w) + "/confirm", DEPARTMENT_MANAGERS, "POST"),
]
