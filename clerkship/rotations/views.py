"""The department's rotations under way: arrivals, completions, early ends, first-day information."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from clerkship.core.forms import attach_error
from clerkship.core.permissions import login_required, require
from clerkship.core.time import local_today
from clerkship.core.transactions import refusal
from clerkship.cycles import queries as cycle_queries
from clerkship.cycles.models import Department, Rotation
from clerkship.extensions import db
from clerkship.rotations import queries, services
from clerkship.rotations.forms import ArrivalForm, CompletionForm, EarlyEndForm, FirstDayForm
from clerkship.rotations.models import RotationState
from clerkship.rotations.permissions import can_edit_first_day, can_record_rotations

bp = Blueprint("rotations", __name__)


def _department(slug: str, check=can_record_rotations) -> Department:
    department = cycle_queries.department_or_404(slug)
    require(
        check(current_user, department),
        f"Only the coordinators and directors of {department.name} record its rotations.",
    )
    return department


@bp.route("/departments/<slug>/rotation-records")
@login_required
def index(slug: str):
    department = _department(slug)
    cycles = cycle_queries.all_cycles()
    cycle = cycle_queries.requested_cycle(cycles)
    placed = queries.placed_students(department, cycle) if cycle else []
    rotations = [r for r in department.rotations if r.active]
    return render_template(
        "rotations/index.html",
        department=department,
        cycles=cycles,
        cycle=cycle,
        placed=placed,
        rotations=rotations,
        first_days=queries.first_day_infos([r.id for r in rotations]),
        today=local_today(),
        RotationState=RotationState,
    )


def _placement(department: Department, placement_id: int):
    placement = queries.department_placement(department, placement_id)
    if placement is None:
        abort(404)
    return placement


def _page(department, placement, *, arrival=None, completion=None, early=None, status=200):
    record = queries.record_of(placement)
    version = record.version if record else None
    return (
        render_template(
            "rotations/placement.html",
            department=department,
            placement=placement,
            record=record,
            arrival=arrival
            or ArrivalForm(prefix="arrival", formdata=None, arrived_on=local_today()),
            completion=completion
            or CompletionForm(prefix="completion", formdata=None, version=version),
            early=early or EarlyEndForm(prefix="early", formdata=None, version=version),
            refusal=services.completion_refusal(record, local_today()) if record else None,
            RotationState=RotationState,
        ),
        status,
    )


@bp.route("/departments/<slug>/rotation-records/<int:placement_id>")
@login_required
def placement(slug: str, placement_id: int):
    department = _department(slug)
    return _page(department, _placement(department, placement_id))


def _done(department, placement, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("rotations.placement", slug=department.slug, placement_id=placement.id))


@bp.route("/departments/<slug>/rotation-records/<int:placement_id>/arrival", methods=["POST"])
@login_required
def arrival(slug: str, placement_id: int):
    department = _department(slug)
    placement = _placement(department, placement_id)
    form = ArrivalForm(prefix="arrival")
    if form.validate_on_submit():
        with refusal() as refused:
            services.record_arrival(
                placement, arrived_on=form.arrived_on.data, by=current_user, today=local_today()
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            name = placement.application.student.full_name
            return _done(department, placement, f"{name}'s arrival is recorded.")
    return _page(department, placement, arrival=form)


def _record(placement):
    record = queries.record_of(placement)
    if record is None:
        abort(404)
    return record


@bp.route("/departments/<slug>/rotation-records/<int:placement_id>/completion", methods=["POST"])
@login_required
def completion(slug: str, placement_id: int):
    department = _department(slug)
    placement = _placement(department, placement_id)
    record = _record(placement)
    form = CompletionForm(prefix="completion")
    if form.validate_on_submit():
        with refusal() as refused:
            services.record_completion(
                services.lock_record(record),
                by=current_user,
                today=local_today(),
                version=form.version.number or 0,  # a page without its version is stale
                override_reason=form.override_reason.data or "",
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            name = placement.application.student.full_name
            return _done(department, placement, f"{name}'s rotation is recorded as completed.")
    return _page(department, placement, completion=form)


@bp.route("/departments/<slug>/rotation-records/<int:placement_id>/early-end", methods=["POST"])
@login_required
def early_end(slug: str, placement_id: int):
    department = _department(slug)
    placement = _placement(department, placement_id)
    record = _record(placement)
    form = EarlyEndForm(prefix="early")
    if form.validate_on_submit():
        with refusal() as refused:
            services.record_early_end(
                services.lock_record(record),
                ended_on=form.ended_on.data,
                reason=form.reason.data,
                by=current_user,
                today=local_today(),
                version=form.version.number or 0,  # a page without its version is stale
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            name = placement.application.student.full_name
            return _done(department, placement, f"{name}'s rotation is recorded as ended early.")
    return _page(department, placement, early=form)


@bp.route("/departments/<slug>/rotations/<int:rotation_id>/first-day", methods=["GET", "POST"])
@login_required
def first_day(slug: str, rotation_id: int):
    department = _department(slug, can_edit_first_day)
    rotation = db.session.get(Rotation, rotation_id)
    if rotation is None or rotation.department_id != department.id:
        abort(404)
    info = queries.first_day_info(rotation)
    form = FirstDayForm(obj=info)
    if form.validate_on_submit():
        with refusal() as refused:
            services.save_first_day_info(
                rotation,
                where_to_go=form.where_to_go.data or "",
                whom_to_ask=form.whom_to_ask.data or "",
                notice_days=form.notice_days.data,
                by=current_user,
                version=form.version.number or 0,  # a page without its version is stale
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"The first-day information of {rotation.title} is saved.", "success")
            return redirect(url_for("rotations.index", slug=department.slug))
    return render_template(
        "rotations/first_day.html", department=department, rotation=rotation, form=form
    )
