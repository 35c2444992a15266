"""Who may reach the rotation's endpoints: the department's coordinators and directors, admins."""

from __future__ import annotations

from tests import factories
from tests.matrix import DEPARTMENT_STAFF, Rule


def rotation_world(w) -> dict:
    """A student placed in the department's block, arrived (built once per world)."""
    if "rotation" not in w.extra:
        _application, placement = factories.make_placed_student(w.block)
        record = factories.make_rotation_record(placement)
        w.extra["rotation"] = {"placement": placement, "record": record}
    return w.extra["rotation"]


def _records(w) -> str:
    return f"/departments/{w.department.slug}/rotation-records"


def _placement(w) -> str:
    return f"{_records(w)}/{rotation_world(w)['placement'].id}"


RULES = [
    Rule("rotations.index", lambda w: f"{_records(w)}?cycle={w.cycle.slug}", DEPARTMENT_STAFF),
    Rule("rotations.placement", _placement, DEPARTMENT_STAFF),
    Rule("rotations.arrival", lambda w: _placement(w) + "/arrival", DEPARTMENT_STAFF, "POST"),
    Rule("rotations.completion", lambda w: _placement(w) + "/completion", DEPARTMENT_STAFF, "POST"),
    Rule("rotations.early_end", lambda w: _placement(w) + "/early-end", DEPARTMENT_STAFF, "POST"),
    Rule(
        "rotations.first_day",
        lambda w: f"/departments/{w.department.slug}/rotations/{w.rotation.id}/first-day",
        DEPARTMENT_STAFF,
    ),
    Rule(
        "rotations.first_day",
        lambda w: f"/departments/{w.department.slug}/rotations/{w.rotation.id}/first-day",
        DEPARTMENT_STAFF,
        "POST",
    ),
]
