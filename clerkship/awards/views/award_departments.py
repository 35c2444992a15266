"""A department's award recipients and where their rotations stand.

The award's "rotation completed" is not set here: it follows the rotation's completion,
recorded on the department's arrivals and completion page (rotations.services).
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from clerkship.awards import queries
from clerkship.awards.models import AwardState
from clerkship.awards.permissions import can_complete_rotations
from clerkship.core.permissions import login_required, require
from clerkship.cycles import queries as cycle_queries
from clerkship.cycles.models import Department

bp = Blueprint("award_departments", __name__)


def _department(slug: str) -> Department:
    department = cycle_queries.department_or_404(slug)
    require(
        can_complete_rotations(current_user, department),
        f"Only the coordinators and directors of {department.name} see its award recipients.",
    )
    return department


@bp.route("/departments/<slug>/awards")
@login_required
def index(slug: str):
    department = _department(slug)
    cycles = cycle_queries.all_cycles()
    cycle = cycle_queries.requested_cycle(cycles)
    awards = queries.department_awards(department, cycle) if cycle else []
    return render_template(
        "awards/department.html",
        department=department,
        cycles=cycles,
        cycle=cycle,
        awards=awards,
        AwardState=AwardState,
    )
