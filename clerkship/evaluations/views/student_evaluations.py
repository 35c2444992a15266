"""The student picks their home school and sees whether their evaluations were sent."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from clerkship.core.forms import attach_error
from clerkship.core.params import parse_id
from clerkship.core.permissions import login_required, require
from clerkship.core.rules import RuleViolation
from clerkship.core.transactions import refusal
from clerkship.evaluations import queries, services
from clerkship.evaluations.forms import ChooseSchoolForm
from clerkship.evaluations.models import EvaluationState
from clerkship.evaluations.permissions import can_choose_home_school
from clerkship.extensions import db

bp = Blueprint("student_evaluations", __name__, url_prefix="/my/evaluations")


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    require(can_choose_home_school(current_user), "This page is for students.")
    schools = queries.home_schools(active_only=True)
    chosen = queries.home_school_of(current_user)
    form = ChooseSchoolForm(school_id=str(chosen.id) if chosen else "")
    form.school_id.choices = [("", "Choose your school")] + [(str(s.id), s.name) for s in schools]
    if form.validate_on_submit():
        school = {s.id: s for s in schools}.get(parse_id(form.school_id.data) or 0)
        with refusal() as refused:
            if school is None:
                raise RuleViolation("Choose your school from the list.", field="school_id")
            services.choose_home_school(current_user, school, by=current_user)
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"Your home school is {school.name}.", "success")
            return redirect(url_for("student_evaluations.index"))
    evaluations = [
        e
        for e in queries.evaluations_of_student(current_user)
        if e.state is not EvaluationState.DRAFT
    ]
    return render_template(
        "evaluations/student.html",
        form=form,
        chosen=chosen,
        evaluations=evaluations,
        EvaluationState=EvaluationState,
    )
