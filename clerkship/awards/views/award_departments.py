"""A department's award recipients: the coordinator marks their rotation completed."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from clerkship.awards import queries
from clerkship.awards.forms import CompletionForm
from clerkship.awards.models import AwardApplication, AwardState
from clerkship.awards.permissions import can_complete_rotations
from clerkship.awards.services import decisions
from clerkship.core.permissions import get_or_403, login_required, require
from clerkship.core.time import local_today
from clerkship.core.transactions import refusal
from clerkship.cycles import queries as cycle_queries
from clerkship.cycles.models import Department
from clerkship.extensions import db

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


@bp.route("/departments/<slug>/awards/<int:award_id>/completed", methods=["POST"])
@login_required
def complete(slug: str, award_id: int):
    department = _department(slug)
    award = get_or_403(
        AwardApplication,
        award_id,
        lambda _user, a: a.application.department_id == department.id,
        f"This award is not for a {department.name} rotation.",
    )
    form = CompletionForm()
    with refusal() as refused:
        decisions.mark_rotation_completed(
            award,
            version=form.version.data,
            by=current_user,
            today=local_today(),
            override_reason=form.override_reason.data or "",
        )
    if error := refused.error:
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(
            f"{award.student.full_name}'s rotation is marked completed; the committee can pay "
            "the award.",
            "success",
        )
    return redirect(
        url_for("award_departments.index", slug=department.slug, cycle=award.cycle.slug)
    )
