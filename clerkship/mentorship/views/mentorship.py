"""The student's side: ask a department for a mentor, withdraw, choose affinity groups."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from clerkship.core.forms import attach_error
from clerkship.core.permissions import get_or_403, login_required, require
from clerkship.core.transactions import refusal
from clerkship.cycles import queries as cycle_queries
from clerkship.cycles.models import Cycle
from clerkship.extensions import db
from clerkship.mentorship import queries, services
from clerkship.mentorship.forms import AffinityChoiceForm, AskForm, MeetingForm
from clerkship.mentorship.models import MentorRequest
from clerkship.mentorship.permissions import can_ask_for_mentor, is_mentor_of
from clerkship.mentorship.services import LIVE_STATES, privacy

bp = Blueprint("mentorship", __name__)

STUDENTS_ONLY = "Only students ask for a mentor and choose affinity groups, for themselves."


def _cycle() -> Cycle:
    cycle = cycle_queries.current_cycle()
    if cycle is None:
        abort(404)
    return cycle


@bp.route("/mentorship/")
@login_required
def index():
    require(can_ask_for_mentor(current_user), STUDENTS_ONLY)
    cycle = cycle_queries.current_cycle()
    requests, eligible = [], []
    if cycle is not None:
        requests = queries.requests_of(current_user, cycle)
        asked = {r.department_id for r in requests if r.state in LIVE_STATES}
        eligible = [
            a
            for a in queries.eligible_applications(current_user, cycle)
            if a.department_id not in asked
        ]
    return render_template(
        "mentorship/index.html",
        cycle=cycle,
        requests=requests,
        eligible=eligible,
        choices=queries.affinity_choices(current_user),
    )


@bp.route("/mentorship/<slug>/ask", methods=["GET", "POST"])
@login_required
def ask(slug: str):
    require(can_ask_for_mentor(current_user), STUDENTS_ONLY)
    department = cycle_queries.department_or_404(slug)
    cycle = _cycle()
    form = AskForm()
    if form.validate_on_submit():
        with refusal() as refused:
            services.ask_for_mentor(
                current_user,
                department,
                cycle,
                interests=form.interests.data,
                share_affinity_with_staff=form.share_affinity_with_staff.data,
                by=current_user,
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(
                f"Your request is sent: {department.name} will introduce you to a mentor.",
                "success",
            )
            return redirect(url_for("mentorship.index"))
    eligible = queries.eligible_application(current_user, department, cycle) is not None
    return render_template(
        "mentorship/ask.html", department=department, cycle=cycle, form=form, eligible=eligible
    )


@bp.route("/mentorship/requests/<int:request_id>/withdraw", methods=["POST"])
@login_required
def withdraw(request_id: int):
    require(can_ask_for_mentor(current_user), STUDENTS_ONLY)
    mentor_request = get_or_403(
        MentorRequest,
        request_id,
        lambda user, r: r.student_id == user.id,
        "You can withdraw only your own request.",
    )
    with refusal() as refused:
        services.withdraw_request(mentor_request, by=current_user)
    if error := refused.error:
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash("Your request is withdrawn.", "success")
    return redirect(url_for("mentorship.index"))


@bp.route("/mentorship/affinity-groups", methods=["GET", "POST"])
@login_required
def affinity_groups():
    require(can_ask_for_mentor(current_user), STUDENTS_ONLY)
    groups = queries.affinity_groups(active_only=True)
    form = AffinityChoiceForm(groups=groups)
    if not form.is_submitted():
        current = queries.affinity_choices(current_user)
        form.groups.data = [c.group_id for c in current]
        form.share.data = [c.group_id for c in current if c.share_with_contact]
    if form.validate_on_submit():
        with refusal() as refused:
            privacy.choose_affinity_groups(current_user, form.chosen(), by=current_user)
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Your choices are saved.", "success")
            return redirect(url_for("mentorship.index"))
    return render_template("mentorship/affinity_groups.html", groups=groups, form=form)


def _meeting_form(request_id: int, **kwargs) -> MeetingForm:
    """One form per mentee on the page: the prefix keeps their fields' ids apart."""
    return MeetingForm(prefix=f"mentee-{request_id}", **kwargs)


@bp.route("/mentorship/mentees")
@login_required
def mentees():
    requests = queries.mentees_of(current_user)
    require(bool(requests), "This page lists the visiting students you mentor; you have none.")
    return render_template(
        "mentorship/mentees.html",
        requests=requests,
        forms={r.id: _meeting_form(r.id, formdata=None) for r in requests},
    )


@bp.route("/mentorship/mentees/<int:request_id>/meeting", methods=["POST"])
@login_required
def confirm_meeting(request_id: int):
    mentor_request = get_or_403(
        MentorRequest,
        request_id,
        is_mentor_of,
        "Only the student's mentor confirms their first meeting here.",
    )
    form = _meeting_form(mentor_request.id)
    if form.validate_on_submit():
        with refusal() as refused:
            services.record_first_meeting(mentor_request, form.met_on.data, by=current_user)
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Thank you: your first meeting is recorded.", "success")
            return redirect(url_for("mentorship.mentees"))
    requests = queries.mentees_of(current_user)
    forms = {r.id: _meeting_form(r.id, formdata=None) for r in requests}
    forms[mentor_request.id] = form
    return render_template("mentorship/mentees.html", requests=requests, forms=forms)
