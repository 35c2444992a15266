"""The rotation survey: the student answers; directors write the questions; the department's
staff read the results, in aggregate only."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from clerkship.core.forms import attach_error
from clerkship.core.permissions import login_required, require
from clerkship.core.suppression import MINIMUM_GROUP
from clerkship.core.transactions import refusal
from clerkship.cycles import queries as cycle_queries
from clerkship.extensions import db
from clerkship.rotations.models import RotationRecord
from clerkship.surveys import queries, services
from clerkship.surveys.forms import answer_form, questions_form
from clerkship.surveys.models import SCALE
from clerkship.surveys.permissions import (
    can_answer_survey,
    can_edit_survey_questions,
    can_view_survey_results,
)

bp = Blueprint("surveys", __name__)

STALE_QUESTIONS = (
    "{department} changed its questions after you opened the page. Please answer the "
    "questions as they are now."
)


@bp.route("/my/rotation-surveys/<int:record_id>", methods=["GET", "POST"])
@login_required
def answer(record_id: int):
    record = db.session.get(RotationRecord, record_id)
    if record is None:
        abort(404)
    require(
        can_answer_survey(current_user, record),
        "Only the student of a completed rotation answers its survey.",
    )
    department = record.placement.application.department
    current = queries.current_form(department)
    shown = current.number if current else 0
    answered = queries.is_answered(record)
    form = answer_form(queries.questions_of(current), shown=shown)
    if answered and form.is_submitted():
        flash("You have already answered this survey; your answers are kept.", "info")
        return redirect(url_for("surveys.answer", record_id=record.id))
    if form.validate_on_submit() and form.shown.number != shown:
        # The questions changed since the page was opened: ask the current ones afresh,
        # rather than file answers under questions the student did not read.
        form = answer_form(queries.questions_of(current), formdata=None, shown=shown)
        form.form_errors.append(STALE_QUESTIONS.format(department=department.name))
    elif form.is_submitted() and not form.errors:
        with refusal() as refused:
            services.submit_survey(
                record,
                form_number=shown,
                ratings=form.ratings(),
                texts=form.texts(),
                by=current_user,
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Thank you: your answers are in.", "success")
            return redirect(url_for("surveys.answer", record_id=record.id))
    return render_template(
        "surveys/answer.html", record=record, department=department, form=form, answered=answered
    )


@bp.route("/departments/<slug>/rotation-surveys")
@login_required
def results(slug: str):
    department = cycle_queries.department_or_404(slug)
    require(
        can_view_survey_results(current_user, department),
        f"Only the directors and coordinators of {department.name} read its rotation surveys.",
    )
    cycles = cycle_queries.all_cycles()
    cycle = cycle_queries.requested_cycle(cycles)
    return render_template(
        "surveys/results.html",
        department=department,
        cycles=cycles,
        cycle=cycle,
        results=queries.results(department, cycle) if cycle else [],
        scale=SCALE,
        minimum=MINIMUM_GROUP,
    )


@bp.route("/departments/<slug>/rotation-surveys/questions", methods=["GET", "POST"])
@login_required
def questions(slug: str):
    department = cycle_queries.department_or_404(slug)
    require(
        can_edit_survey_questions(current_user, department),
        f"Only the directors of {department.name} write its rotation survey.",
    )
    current = queries.current_form(department)
    # A post says every row itself: a row it leaves out is empty, not the current question.
    shown = [] if request.method == "POST" else queries.questions_of(current)
    form = questions_form(shown, based_on=current.number if current else 0)
    if form.validate_on_submit():
        with refusal() as refused:
            services.save_questions(
                department,
                form.questions(),
                by=current_user,
                based_on=form.based_on.number if form.based_on.number is not None else -1,
            )
        if error := refused.error:
            attach_error(form, error)
            # Saving again, once checked against the current questions, is meant to work.
            form.based_on.data = str(current.number if current else 0)
        else:
            db.session.commit()
            flash("The survey's questions are saved.", "success")
            return redirect(url_for("surveys.results", slug=department.slug))
    return render_template(
        "surveys/questions.html", department=department, form=form, current=current
    )
