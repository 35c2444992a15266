"""Students' self-identification, the committee's view of answers, and directors' flag pages."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from clerkship.accounts.models import User
from clerkship.applications.models import Application
from clerkship.applications.permissions import can_see_pathway_flag
from clerkship.core.forms import attach_error
from clerkship.core.params import query
from clerkship.core.permissions import get_or_403, login_required, require
from clerkship.core.transactions import commits_on_return, refusal
from clerkship.cycles import queries as cycle_queries
from clerkship.cycles.models import Cycle, Department
from clerkship.extensions import db
from clerkship.pathway import queries, services
from clerkship.pathway.forms import FlagDecisionForm, SelfIdentificationForm
from clerkship.pathway.models import FlagDecision, Identification
from clerkship.pathway.permissions import (
    can_decide_pathway_flag,
    can_self_identify,
    can_view_others_answers,
)
from clerkship.pathway.services import privacy

bp = Blueprint("pathway", __name__)

STUDENTS_ONLY = "Only students answer the self-identification questions, for themselves."


def load_cycle(slug: str) -> Cycle:
    """The cycle with this short name, or 404."""
    cycle = db.session.scalar(select(Cycle).where(Cycle.slug == slug))
    if cycle is None:
        abort(404)
    return cycle


def _department(slug: str) -> Department:
    department = cycle_queries.department_or_404(slug)
    return department


@bp.route("/pathway/<cycle_slug>/")
@login_required
def overview(cycle_slug: str):
    cycle = load_cycle(cycle_slug)
    require(can_self_identify(current_user), STUDENTS_ONLY)
    applications = queries.student_applications(current_user, cycle)
    return render_template(
        "pathway/overview.html",
        cycle=cycle,
        config=queries.config_or_default(cycle),
        retention_days=current_app.config["PATHWAY_RETENTION_DAYS"],
        answers=queries.self_identification(current_user, cycle),
        basis=queries.basis(current_user, cycle),
        applications=applications,
        decisions=queries.latest_decisions([a.id for a in applications]),
    )


@bp.route("/pathway/<cycle_slug>/self-identification", methods=["GET", "POST"])
@login_required
@commits_on_return
def self_identification(cycle_slug: str):
    cycle = load_cycle(cycle_slug)
    require(can_self_identify(current_user), STUDENTS_ONLY)
    config = queries.config_or_default(cycle)
    answers = queries.self_identification(current_user, cycle)
    form = SelfIdentificationForm(config=config)
    if request.method == "GET" and answers is not None:
        form.identifies.data = answers.identifies.value
        for name in ("categories", "criteria"):
            if name in form:
                form[name].data = list(getattr(answers, name))
        form.version.data = str(answers.version)
    if form.validate_on_submit():
        with refusal() as refused:
            services.save_self_identification(
                current_user,
                cycle,
                identifies=Identification(form.identifies.data),
                categories=form.chosen("categories"),
                criteria=form.chosen("criteria"),
                version=form.version.data,
                by=current_user,
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_saved_message(cycle), "success")
            return redirect(url_for("pathway.overview", cycle_slug=cycle.slug))
        answers = queries.self_identification(current_user, cycle)
        if answers is not None:
            form.version.data = str(answers.version)
    # Showing the answers (even to their owner) is a view of them, recorded like any other.
    privacy.record_answers_view(current_user, cycle, by=current_user, context="own answers")
    return render_template(
        "pathway/self_identification.html",
        cycle=cycle,
        config=config,
        retention_days=current_app.config["PATHWAY_RETENTION_DAYS"],
        answers=answers,
        form=form,
    )


@bp.route("/pathway/<cycle_slug>/self-identification/remove", methods=["POST"])
@login_required
def remove_self_identification(cycle_slug: str):
    cycle = load_cycle(cycle_slug)
    require(can_self_identify(current_user), STUDENTS_ONLY)
    answers = queries.self_identification(current_user, cycle)
    if answers is None:
        flash("You have no answers to remove.", "info")
    else:
        with refusal() as refused:
            services.remove_self_identification(answers, by=current_user)
        if error := refused.error:
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash("Your answers are deleted.", "success")
    return redirect(url_for("pathway.overview", cycle_slug=cycle.slug))


@bp.route("/pathway/<cycle_slug>/students/<int:student_id>/answers")
@login_required
@commits_on_return
def answers(cycle_slug: str, student_id: int):
    cycle = load_cycle(cycle_slug)
    require(
        can_view_others_answers(current_user),
        "Only the award committee and administrators see self-identification answers.",
    )
    student = db.session.get(User, student_id)
    if student is None or not student.is_student:
        abort(404)
    privacy.record_answers_view(student, cycle, by=current_user, context="answers page")
    applications = queries.student_applications(student, cycle)
    return render_template(
        "pathway/answers.html",
        cycle=cycle,
        student=student,
        answers=queries.self_identification(student, cycle),
        basis=queries.basis(student, cycle),
        applications=applications,
        decisions=queries.latest_decisions([a.id for a in applications]),
    )


@bp.route("/departments/<slug>/pathway")
@login_required
def department_list(slug: str):
    department = _department(slug)
    require(
        can_see_pathway_flag(current_user, department),
        f"Only the directors and coordinators of {department.name} see its pathway flags.",
    )
    cycles = cycle_queries.all_cycles()
    cycle = cycle_queries.requested_cycle(cycles)
    flag = query.choice("flag", ("yes", "no"), "")
    page = None
    if cycle is not None:
        page = db.paginate(
            queries.department_applications(department, cycle, flag),
            page=query.page(),
            per_page=50,
            error_out=False,
        )
    return render_template(
        "pathway/department_list.html",
        department=department,
        cycles=cycles,
        cycle=cycle,
        flag=flag,
        page=page,
    )


def _staff_application(department: Department, application_id: int) -> Application:
    return get_or_403(
        Application,
        application_id,
        lambda user, a: a.department_id == department.id and can_see_pathway_flag(user, department),
        f"Only the directors and coordinators of {department.name} see this application's flag.",
    )


@bp.route("/departments/<slug>/applications/<int:application_id>/pathway", methods=["GET", "POST"])
@login_required
def flag(slug: str, application_id: int):
    department = _department(slug)
    application = _staff_application(department, application_id)
    form = FlagDecisionForm()
    if request.method == "POST":
        require(
            can_decide_pathway_flag(current_user, department),
            f"Only the directors of {department.name} confirm or withdraw a flag.",
        )
        if form.validate_on_submit():
            with refusal() as refused:
                services.decide_pathway_flag(
                    application,
                    decision=FlagDecision(form.decision.data),
                    reason=form.reason.data,
                    version=form.version.data,
                    by=current_user,
                )
            if error := refused.error:
                attach_error(form, error)
            else:
                db.session.commit()
                flash("Your decision is recorded and the student is told.", "success")
                return redirect(request.url)
    return render_template("pathway/flag.html", **flag_panel(application, form=form))


def flag_panel(application: Application, form: FlagDecisionForm | None = None) -> dict:
    """What the staff panel and page show about one application's flag (yes/no, never why)."""
    decisions = queries.decisions_of(application)
    form = form or FlagDecisionForm(formdata=None)
    # Always the newest decision: after a stale refusal, sending again decides on what is shown.
    form.version.data = str(decisions[0].id if decisions else 0)
    return {
        "application": application,
        "department": application.department,
        "decisions": decisions,
        "form": form,
    }


def _saved_message(cycle) -> str:
    """Saved answers, and what the pathway means now in each department the student is in."""
    prospects = [
        queries.reserved_seat_prospect(department, cycle) + "."
        for department in queries.reserved_seat_departments(current_user, cycle)
    ]
    return " ".join(["Your answers are saved.", *prospects])


@bp.app_context_processor
def panel_helpers() -> dict:
    """Functions the partials included in the applications feature's pages call."""
    return {
        "pathway_flag_panel": flag_panel,
        "pathway_student_panel": student_panel,
        "reserved_seat_prospect": queries.reserved_seat_prospect,
    }


def student_panel(application: Application) -> dict:
    """The student's own view of their pathway status for one application."""
    decision = queries.latest_decisions([application.id]).get(application.id)
    return {
        "basis": queries.basis(application.student, application.cycle),
        "decision": decision
        if decision and decision.decision is not FlagDecision.AUTOMATIC
        else None,
    }
