"""The dashboards: a department's charts, and the institution's."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from clerkship.core.permissions import login_required, require
from clerkship.cycles import queries as cycle_queries
from clerkship.rosters import dashboards
from clerkship.rosters.loading import chosen_cycle, load_department
from clerkship.rosters.permissions import can_view_dashboard, can_view_institution_dashboard

bp = Blueprint("dashboards", __name__)


@bp.route("/departments/<slug>/dashboard")
@login_required
def department(slug: str):
    department = load_department(
        slug, can_view_dashboard, "Only the directors and coordinators of {} see its dashboard."
    )
    cycle = chosen_cycle()
    charts = []
    if cycle is not None:
        charts = [
            dashboards.funnel(cycle, department),
            dashboards.block_fill(department, cycle),
            dashboards.score_distribution(department, cycle),
            dashboards.interview_fill(department, cycle),
        ]
    return render_template(
        "rosters/dashboard.html",
        department=department,
        cycle=cycle,
        cycles=cycle_queries.all_cycles(),
        charts=[c for c in charts if c is not None],
    )


@bp.route("/dashboard")
@login_required
def institution():
    require(
        can_view_institution_dashboard(current_user),
        "Only administrators and the award committee see the institution's dashboard.",
    )
    cycle = chosen_cycle()
    charts = []
    if cycle is not None:
        charts = [
            dashboards.funnel(cycle),
            dashboards.department_fill(cycle),
            dashboards.award_budget(cycle),
        ]
    return render_template(
        "rosters/institution.html",
        cycle=cycle,
        cycles=cycle_queries.all_cycles(),
        charts=[c for c in charts if c is not None],
    )
