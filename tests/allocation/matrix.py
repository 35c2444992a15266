"""Who may reach the allocation endpoints: the department's directors and admins."""

from __future__ import annotations

from decimal import Decimal

from clerkship.allocation.services import start_run
from tests import factories
from tests.matrix import DEPARTMENT_MANAGERS, Rule


def _run(w) -> int:
    """A previewed run of this department with one applicant (built once per world)."""
    if "allocation_run" not in w.extra:
        application = factories.make_applicant(w.department, w.cycle, blocks=[w.block])
        run = start_run(
            w.department,
            w.cycle,
            scores={application.id: Decimal(80)},
            score_source="Raw composite",
            by=w.users["director"],
        )
        w.extra["allocation_run"] = run.id
    return w.extra["allocation_run"]


def _change(action: str) -> Rule:
    return Rule(
        f"allocation.{action}",
        lambda w: f"/allocation/runs/{_run(w)}/{action}",
        DEPARTMENT_MANAGERS,
        method="POST",
    )


RULES = [
    Rule(
        "allocation.index",
        lambda w: f"/departments/{w.department.slug}/allocation/",
        DEPARTMENT_MANAGERS,
    ),
    Rule(
        "allocation.start",
        lambda w: f"/departments/{w.department.slug}/allocation/runs",
        DEPARTMENT_MANAGERS,
        method="POST",
    ),
    Rule("allocation.show", lambda w: f"/allocation/runs/{_run(w)}", DEPARTMENT_MANAGERS),
    *(_change(action) for action in ("move", "swap", "publish", "discard")),
]
