"""Loading what a rosters URL names: the department (after the permission check), the cycle."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from clerkship.core.params import query
from clerkship.core.permissions import require
from clerkship.cycles import queries as cycle_queries
from clerkship.cycles.models import Cycle, Department


def load_department(slug: str, predicate, message: str) -> Department:
    """The department of the URL, if predicate allows the user (message names who may)."""
    department = cycle_queries.department_by_slug(slug)
    if department is None:
        abort(404)
    require(predicate(current_user, department), message.format(department.name))
    return department


def chosen_cycle() -> Cycle | None:
    """The cycle of ?cycle= (404 if unknown), else the current one."""
    wanted = query.text("cycle")
    if wanted:
        cycle = next((c for c in cycle_queries.all_cycles() if c.slug == wanted), None)
        if cycle is None:
            abort(404)
        return cycle
    return cycle_queries.current_cycle()
