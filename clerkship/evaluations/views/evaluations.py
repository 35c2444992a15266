"""The department's evaluations: the form's editor, assigning faculty, writing, finalising,
sending to the home school."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from clerkship.core.params import parse_id, posted
from clerkship.core.permissions import get_or_403, login_required, require
from clerkship.core.rules import RuleViolation
from clerkship.core.time import local_today, utcnow
from clerkship.core.transactions import refusal
from clerkship.cycles import queries as cycle_queries
from clerkship.cycles.models import Department
from clerkship.evaluations import queries, services
from clerkship.evaluations.forms import (
    ActionForm,
    AssignForm,
    EvaluationFormEditor,
    editor_data,
    evaluation_form_class,
    evaluation_form_data,
    read_levels,
)
from clerkship.evaluations.models import EvaluationState, RotationEvaluation
from clerkship.evaluations.permissions import (
    can_configure_evaluations,
    can_read_evaluation,
    can_view_evaluations,
)
from clerkship.extensions import db
from clerkship.reviews.rubrics.forms import attach_nested_error
from clerkship.rotations import queries as rotation_queries

bp = Blueprint("evaluations", __name__)
EDITOR_ACTIONS = ("save", "add", "scale")
NOT_YOURS = "This evaluation does not exist, or you were not asked to write it."


def _department(slug: str, check=can_view_evaluations) -> Department:
    department = cycle_queries.department_or_404(slug)
    require(
        check(current_user, department),
        f"Only the directors of {department.name} see and manage its evaluations.",
    )
    return department


@bp.route("/departments/<slug>/evaluation-form", methods=["GET", "POST"])
@login_required
def edit_form(slug: str):
    department = _department(slug, can_configure_evaluations)
    current = queries.current_form(department)
    if request.method == "GET":
        form = EvaluationFormEditor(formdata=None, data=editor_data(current))
        form.label_levels()
        return render_template(
            "evaluations/form_edit.html",
            department=department,
            form=form,
            current=current,
            versions=queries.form_versions(department),
        )
    form = EvaluationFormEditor()
    action = posted.choice("action", EDITOR_ACTIONS, "save")
    form.fit_levels()
    if action == "add":
        form.criteria.append_entry({"weight": 1})
        form.fit_levels()
    elif action == "save" and form.validate_on_submit():
        low, high = form.bounds
        with refusal() as refused:
            saved = services.save_form_version(
                department,
                title=form.title.data,
                scale_low=low,
                scale_high=high,
                criteria=form.inputs(),
                grades=form.grade_list(),
                student_sees_content=form.student_sees_content.data,
                sloe=form.sloe.data,
                based_on=parse_id(form.based_on.data),
                by=current_user,
            )
        if error := refused.error:
            attach_nested_error(form, error)
        else:
            db.session.commit()
            flash(f"The evaluation form is saved as version {saved.number}.", "success")
            return redirect(url_for("evaluations.index", slug=department.slug))
    return (
        render_template(
            "evaluations/form_edit.html",
            department=department,
            form=form,
            current=current,
            versions=queries.form_versions(department),
        ),
        400 if action == "save" else 200,
    )


@bp.route("/departments/<slug>/evaluations")
@login_required
def index(slug: str):
    department = _department(slug)
    cycles = cycle_queries.all_cycles()
    cycle = cycle_queries.requested_cycle(cycles)
    rows = queries.department_evaluations(department, cycle) if cycle else []
    faculty = queries.faculty_of(department)
    return render_template(
        "evaluations/index.html",
        department=department,
        cycles=cycles,
        cycle=cycle,
        rows=rows,
        faculty=faculty,
        current=queries.current_form(department),
        assign=AssignForm(),
        EvaluationState=EvaluationState,
    )


@bp.route("/departments/<slug>/evaluations/<int:placement_id>/assign", methods=["POST"])
@login_required
def assign(slug: str, placement_id: int):
    department = _department(slug)
    placement = rotation_queries.department_placement(department, placement_id)
    if placement is None:
        abort(404)
    form = AssignForm()
    faculty_id = parse_id(form.faculty_id.data)
    faculty = {u.id: u for u in queries.faculty_of(department)}.get(faculty_id or 0)
    with refusal() as refused:
        if faculty is None:
            raise RuleViolation(
                f"Choose one of the faculty of {department.name}.", field="faculty_id"
            )
        services.assign_faculty(placement, faculty, by=current_user)
    if error := refused.error:
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(
            f"{faculty.full_name} is asked to evaluate {placement.application.student.full_name}.",
            "success",
        )
    return redirect(
        url_for("evaluations.index", slug=department.slug, cycle=placement.application.cycle.slug)
    )


@bp.route("/evaluations/assigned")
@login_required
def assigned():
    return render_template(
        "evaluations/assigned.html",
        evaluations=[
            e
            for e in queries.evaluations_for_faculty(current_user)
            if can_read_evaluation(current_user, e)
        ],
    )


def _evaluation(evaluation_id: int) -> RotationEvaluation:
    return get_or_403(RotationEvaluation, evaluation_id, can_read_evaluation, NOT_YOURS)


def _page(evaluation, form, status=200):
    return (
        render_template(
            "evaluations/edit.html",
            evaluation=evaluation,
            form=form,
            placement=evaluation.placement,
            department=evaluation.placement.application.department,
            links=queries.links_of(evaluation),
            school=queries.home_school_of(evaluation.placement.application.student),
            finalise=ActionForm(formdata=None, version=str(evaluation.version), prefix="final"),
            EvaluationState=EvaluationState,
        ),
        status,
    )


def _typed(form, name: str) -> str:
    """A field's text, "" when the form version has no such field (a SLOE's on other forms)."""
    return (form[name].data or "") if name in form else ""


@bp.route("/evaluations/<int:evaluation_id>", methods=["GET", "POST"])
@login_required
def edit(evaluation_id: int):
    evaluation = _evaluation(evaluation_id)
    form_class = evaluation_form_class(evaluation.form_version)
    if request.method == "GET":
        return _page(evaluation, form_class(formdata=None, data=evaluation_form_data(evaluation)))
    form = form_class()
    if form.validate_on_submit():
        with refusal() as refused:
            services.save_draft(
                evaluation,
                levels=read_levels(form, evaluation.form_version),
                grade=form.grade.data or "",
                narrative=form.narrative.data or "",
                by=current_user,
                today=local_today(),
                version=form.version.number or 0,  # a page without its version is stale
                sloe_global_rank=_typed(form, "sloe_global_rank"),
                sloe_guidance=_typed(form, "sloe_guidance"),
            )
        if error := refused.error:
            attach_nested_error(form, error)
        else:
            db.session.commit()
            flash("The draft is saved.", "success")
            return redirect(url_for("evaluations.edit", evaluation_id=evaluation.id))
    return _page(evaluation, form)


@bp.route("/evaluations/<int:evaluation_id>/finalise", methods=["POST"])
@login_required
def finalise(evaluation_id: int):
    evaluation = _evaluation(evaluation_id)
    require(
        can_view_evaluations(current_user, evaluation.placement.application.department),
        "Only the department's directors finalise an evaluation.",
    )
    form = ActionForm(prefix="final")
    with refusal() as refused:
        services.finalise(evaluation, by=current_user, version=form.version.number or 0)
    if error := refused.error:
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash("The evaluation is final.", "success")
    return redirect(url_for("evaluations.edit", evaluation_id=evaluation.id))


@bp.route("/evaluations/<int:evaluation_id>/send", methods=["POST"])
@login_required
def send(evaluation_id: int):
    evaluation = _evaluation(evaluation_id)
    require(
        can_view_evaluations(current_user, evaluation.placement.application.department),
        "Only the department's directors send an evaluation.",
    )
    with refusal() as refused:
        link = services.send_to_home_school(evaluation, by=current_user, now=utcnow())
    if error := refused.error:
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(
            f"The evaluation is sent to {link.school.name} ({link.sent_to}); the link works "
            "for 14 days.",
            "success",
        )
    return redirect(url_for("evaluations.edit", evaluation_id=evaluation.id))


@bp.route("/evaluations/<int:evaluation_id>/letter")
@login_required
def letter(evaluation_id: int):
    evaluation = _evaluation(evaluation_id)
    department = evaluation.placement.application.department
    require(
        can_view_evaluations(current_user, department) and evaluation.form_version.sloe,
        "Only the department's directors draft a letter of evaluation, from a form that "
        "carries its fields.",
    )
    return render_template(
        "evaluations/letter.html",
        evaluation=evaluation,
        placement=evaluation.placement,
        department=department,
        form=evaluation.form_version,
    )
