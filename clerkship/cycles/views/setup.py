"""Administrators create cycles, departments and sites, and close a finished cycle."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from clerkship.core.forms import attach_error
from clerkship.core.permissions import login_required, require
from clerkship.core.time import local_today, utcnow
from clerkship.core.transactions import refusal
from clerkship.cycles import queries, services
from clerkship.cycles.forms import CloseCycleForm, CycleForm, DepartmentForm, SiteForm
from clerkship.cycles.models import Cycle, Department, Site
from clerkship.cycles.permissions import can_manage_institution
from clerkship.extensions import db

bp = Blueprint("setup", __name__, url_prefix="/admin")

FORBIDDEN = "Only administrators set up cycles, departments and sites."

CYCLE_FIELDS = (
    "name",
    "slug",
    "catalogue_opens_on",
    "applications_open_on",
    "application_deadline",
    "offers_released_on",
    "rotations_start_on",
    "rotations_end_on",
)
DEPARTMENT_FIELDS = ("name", "slug", "contact_email", "description")
SITE_FIELDS = ("name", "short_name", "address")


def _load(model, ident: int | None):
    if ident is None:
        return None
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


def _edit(model, ident, form_class, fields, save, template: str, noun: str, index: str):
    """Shared create/edit flow: check, validate, call the service, commit once, redirect."""
    require(can_manage_institution(current_user), FORBIDDEN)
    obj = _load(model, ident)
    form = form_class(obj=obj)
    if form.validate_on_submit():
        values = {name: form[name].data for name in fields}
        if "contact_email" in values:
            values["contact_email"] = values["contact_email"] or None
        with refusal() as refused:
            obj = save(obj, by=current_user, **values)
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"{noun} {values['name']} saved.", "success")
            return redirect(url_for(index))
    return render_template(template, form=form, obj=obj)


@bp.route("/cycles/")
@login_required
def cycles():
    require(can_manage_institution(current_user), FORBIDDEN)
    return render_template("setup/cycles.html", cycles=queries.all_cycles())


@bp.route("/cycles/new", methods=["GET", "POST"])
@bp.route("/cycles/<int:cycle_id>/edit", methods=["GET", "POST"])
@login_required
def edit_cycle(cycle_id: int | None = None):
    return _edit(
        Cycle,
        cycle_id,
        CycleForm,
        CYCLE_FIELDS,
        services.save_cycle,
        "setup/cycle_form.html",
        "Cycle",
        "setup.cycles",
    )


@bp.route("/cycles/<int:cycle_id>/close", methods=["GET", "POST"])
@login_required
def close_cycle(cycle_id: int):
    require(can_manage_institution(current_user), FORBIDDEN)
    cycle = _load(Cycle, cycle_id)
    form = CloseCycleForm()
    retention_days = current_app.config["PATHWAY_RETENTION_DAYS"]
    if form.validate_on_submit():
        with refusal() as refused:
            services.close_cycle(cycle, by=current_user, now=utcnow(), today=local_today())
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"The {cycle.name} cycle is closed.", "success")
            return redirect(url_for("setup.cycles"))
    return render_template(
        "setup/cycle_close.html",
        cycle=cycle,
        form=form,
        retention_days=retention_days,
        purge_on=(utcnow() + timedelta(days=retention_days)).date(),
    )


@bp.route("/departments/")
@login_required
def departments():
    require(can_manage_institution(current_user), FORBIDDEN)
    return render_template("setup/departments.html", departments=queries.departments())


@bp.route("/departments/new", methods=["GET", "POST"])
@bp.route("/departments/<int:department_id>/edit", methods=["GET", "POST"])
@login_required
def edit_department(department_id: int | None = None):
    return _edit(
        Department,
        department_id,
        DepartmentForm,
        DEPARTMENT_FIELDS,
        services.save_department,
        "setup/department_form.html",
        "Department",
        "setup.departments",
    )


@bp.route("/sites/")
@login_required
def sites():
    require(can_manage_institution(current_user), FORBIDDEN)
    return render_template("setup/sites.html", sites=queries.sites())


@bp.route("/sites/new", methods=["GET", "POST"])
@bp.route("/sites/<int:site_id>/edit", methods=["GET", "POST"])
@login_required
def edit_site(site_id: int | None = None):
    return _edit(
        Site,
        site_id,
        SiteForm,
        SITE_FIELDS,
        services.save_site,
        "setup/site_form.html",
        "Site",
        "setup.sites",
    )
