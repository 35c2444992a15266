"""Administrators keep the list of home schools and their registrar or clerkship-office contact."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from clerkship.core.forms import attach_error
from clerkship.core.permissions import login_required, require
from clerkship.core.transactions import refusal
from clerkship.evaluations import queries, services
from clerkship.evaluations.forms import HomeSchoolForm
from clerkship.evaluations.models import HomeSchool
from clerkship.evaluations.permissions import can_manage_home_schools
from clerkship.extensions import db

bp = Blueprint("home_schools", __name__, url_prefix="/setup/home-schools")


def _allowed() -> None:
    require(can_manage_home_schools(current_user), "Only administrators keep the school list.")


@bp.route("/")
@login_required
def index():
    _allowed()
    return render_template("evaluations/home_schools.html", schools=queries.home_schools())


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:school_id>/edit", methods=["GET", "POST"])
@login_required
def edit(school_id: int | None = None):
    _allowed()
    school = None
    if school_id is not None:
        school = db.session.get(HomeSchool, school_id)
        if school is None:
            abort(404)
    form = HomeSchoolForm(obj=school)
    if form.validate_on_submit():
        with refusal() as refused:
            saved = services.save_home_school(
                school,
                name=form.name.data,
                contact_name=form.contact_name.data or "",
                contact_email=form.contact_email.data,
                active=form.active.data,
                by=current_user,
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"{saved.name} is saved.", "success")
            return redirect(url_for("home_schools.index"))
    return render_template("evaluations/home_school_form.html", form=form, school=school)
