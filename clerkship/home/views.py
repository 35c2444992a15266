"""The landing page for visitors and the start page for signed-in people."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.core.permissions import login_required, public, require
from clerkship.cycles import queries
from clerkship.cycles.models import Department
from clerkship.cycles.permissions import can_view_department
from clerkship.extensions import db
from clerkship.home.start import start_panels
from clerkship.home.workspace import attention_panels

bp = Blueprint("home", __name__)


@bp.route("/")
@public
def index():
    cycle = queries.current_cycle()
    if not current_user.is_authenticated:
        return render_template("home/landing.html", cycle=cycle)
    stmt = select(Department).order_by(Department.name)
    if not current_user.is_admin:
        ids = current_user.department_ids(Role.DIRECTOR, Role.COORDINATOR, Role.REVIEWER)
        stmt = stmt.where(Department.id.in_(ids))
    departments = list(db.session.scalars(stmt))
    return render_template(
        "home/dashboard.html",
        cycle=cycle,
        departments=departments,
        panels=start_panels(current_user, cycle),
    )


@bp.route("/departments/<slug>/")
@login_required
def department(slug: str):
    """A department's workspace: what needs attention in the current cycle, by the viewer's roles."""
    department = queries.department_or_404(slug)
    require(
        can_view_department(current_user, department),
        f"Only the directors and coordinators of {department.name} see this page.",
    )
    cycle = queries.current_cycle()
    panels = attention_panels(current_user, department, cycle) if cycle else []
    return render_template(
        "home/department.html", department=department, cycle=cycle, panels=panels
    )
