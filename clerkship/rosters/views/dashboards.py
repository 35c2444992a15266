"""The dashboards: a department's charts, and the institution's.

Their figures count every application of the cycle, so each process keeps them for
DASHBOARD_CACHE_SECONDS (clerkship/core/memo.py); the page says when they were counted, and
?fresh=1 counts them now.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from clerkship.core.charts import Chart
from clerkship.core.memo import Kept, memo
from clerkship.core.params import query
from clerkship.core.permissions import login_required, require
from clerkship.cycles import queries as cycle_queries
from clerkship.cycles.models import Cycle
from clerkship.rosters import dashboards
from clerkship.rosters.loading import chosen_cycle, load_department
from clerkship.rosters.permissions import can_view_dashboard, can_view_institution_dashboard

bp = Blueprint("dashboards", __name__)


def _kept(scope: str, cycle: Cycle | None, charts: Callable[[], list]) -> Kept[list[Chart]] | None:
    """The charts of scope in cycle, as counted within DASHBOARD_CACHE_SECONDS (None: no cycle)."""
    if cycle is None:
        return None
    return memo().get(
        ("dashboard", scope, cycle.id),
        current_app.config["DASHBOARD_CACHE_SECONDS"],
        lambda: [c for c in charts() if c is not None],
        fresh=query.flag("fresh"),
    )


def _recount_every() -> str:
    """ "5 minutes": how long figures are kept ("" when they are counted on every view)."""
    seconds = current_app.config["DASHBOARD_CACHE_SECONDS"]
    if seconds <= 0:
        return ""
    if seconds % 60:
        return f"{seconds} seconds"
    minutes = seconds // 60
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


@bp.route("/departments/<slug>/dashboard")
@login_required
def department(slug: str):
    department = load_department(
        slug, can_view_dashboard, "Only the directors and coordinators of {} see its dashboard."
    )
    cycle = chosen_cycle()
    kept = _kept(
        f"department-{department.id}",
        cycle,
        lambda: [
            dashboards.funnel(cycle, department),
            dashboards.block_fill(department, cycle),
            dashboards.score_distribution(department, cycle),
            dashboards.interview_fill(department, cycle),
        ],
    )
    return render_template(
        "rosters/dashboard.html",
        department=department,
        cycle=cycle,
        cycles=cycle_queries.all_cycles(),
        charts=kept.value if kept else [],
        kept=kept,
        recount_every=_recount_every(),
    )


@bp.route("/dashboard")
@login_required
def institution():
    require(
        can_view_institution_dashboard(current_user),
        "Only administrators and the award committee see the institution's dashboard.",
    )
    cycle = chosen_cycle()
    kept = _kept(
        "institution",
        cycle,
        lambda: [
            dashboards.funnel(cycle),
            dashboards.department_fill(cycle),
            dashboards.award_budget(cycle),
        ],
    )
    return render_template(
        "rosters/institution.html",
        cycle=cycle,
        cycles=cycle_queries.all_cycles(),
        charts=kept.value if kept else [],
        kept=kept,
        recount_every=_recount_every(),
    )
