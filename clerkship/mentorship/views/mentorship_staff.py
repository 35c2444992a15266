"""A department's mentorship page: mentors, who may ask, open requests, matching and meetings."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from clerkship.core.forms import attach_error
from clerkship.core.permissions import login_required, require
from clerkship.core.transactions import commits_on_return, refusal
from clerkship.cycles import queries as cycle_queries
from clerkship.cycles.models import Department
from clerkship.extensions import db
from clerkship.mentorship import queries, services
from clerkship.mentorship.forms import CloseForm, MatchForm, MeetingForm, MentorForm, SettingForm
from clerkship.mentorship.matching import suggest
from clerkship.mentorship.models import Mentor, MentorKind, MentorRequest, RequestState
from clerkship.mentorship.permissions import can_manage_mentorship, can_see_affinity_choices
from clerkship.mentorship.services import directory, privacy

bp = Blueprint("mentorship_staff", __name__)


def _department(slug: str) -> Department:
    department = cycle_queries.department_or_404(slug)
    require(
        can_manage_mentorship(current_user, department),
        f"Only the directors and coordinators of {department.name} manage its mentors.",
    )
    return department


def _mentor(department: Department, mentor_id: int) -> Mentor:
    mentor = db.session.get(Mentor, mentor_id)
    if mentor is None or mentor.department_id != department.id:
        abort(404)
    return mentor


def _request(department: Department, request_id: int) -> MentorRequest:
    mentor_request = db.session.get(MentorRequest, request_id)
    if mentor_request is None or mentor_request.department_id != department.id:
        abort(404)
    return mentor_request


@bp.route("/departments/<slug>/mentorship")
@login_required
def department(slug: str):
    department = _department(slug)
    cycles = cycle_queries.all_cycles()
    cycle = cycle_queries.requested_cycle(cycles)
    open_requests, matched, taken = [], [], {}
    if cycle is not None:
        open_requests = list(
            db.session.scalars(queries.department_requests(department, cycle, RequestState.OPEN))
        )
        matched = list(
            db.session.scalars(queries.department_requests(department, cycle, RequestState.MATCHED))
        )
        taken = queries.mentees_taken(department, cycle)
    setting = SettingForm(formdata=None, open_to_all=queries.open_to_all(department))
    return render_template(
        "mentorship/department.html",
        department=department,
        cycles=cycles,
        cycle=cycle,
        open_requests=open_requests,
        matched=matched,
        mentors=queries.mentors(department),
        taken=taken,
        setting=setting,
    )


@bp.route("/departments/<slug>/mentorship/setting", methods=["POST"])
@login_required
def setting(slug: str):
    department = _department(slug)
    form = SettingForm()
    if form.validate_on_submit():
        directory.set_open_to_all(department, form.open_to_all.data, by=current_user)
        db.session.commit()
        flash("Who may ask for a mentor is saved.", "success")
    else:
        flash("The setting was not saved: send the form again.", "danger")
    return redirect(url_for("mentorship_staff.department", slug=department.slug))


@bp.route("/departments/<slug>/mentorship/mentors/new", methods=["GET", "POST"])
@bp.route("/departments/<slug>/mentorship/mentors/<int:mentor_id>", methods=["GET", "POST"])
@login_required
def mentor(slug: str, mentor_id: int | None = None):
    department = _department(slug)
    mentor = _mentor(department, mentor_id) if mentor_id is not None else None
    form = MentorForm(obj=mentor)
    if request.method == "GET" and mentor is not None:
        form.kind.data = mentor.kind.value
    if form.validate_on_submit():
        with refusal() as refused:
            directory.save_mentor(
                department,
                mentor,
                name=form.name.data,
                email=form.email.data,
                kind=MentorKind(form.kind.data),
                capacity=form.capacity.data,
                offers=form.offers.data or "",
                active=form.active.data,
                by=current_user,
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"{form.name.data} is saved.", "success")
            return redirect(url_for("mentorship_staff.department", slug=department.slug))
    return render_template(
        "mentorship/mentor.html", department=department, mentor=mentor, form=form
    )


def _match_page(department, mentor_request, match_form=None, meeting_form=None, close_form=None):
    suggestions = []
    if mentor_request.state is RequestState.OPEN:
        suggestions = suggest(
            mentor_request.interests, queries.candidates(department, mentor_request.cycle)
        )
    match_form = match_form or MatchForm(formdata=None)
    match_form.mentor.choices = [(s.candidate.mentor_id, s.candidate.name) for s in suggestions]
    match_form.version.data = str(mentor_request.version)
    choices = None
    if can_see_affinity_choices(current_user, mentor_request):
        choices = queries.affinity_choices(mentor_request.student)
        privacy.record_affinity_view(mentor_request, by=current_user, context="mentor request page")
    return render_template(
        "mentorship/request.html",
        department=department,
        mentor_request=mentor_request,
        suggestions=suggestions,
        match_form=match_form,
        meeting_form=meeting_form or MeetingForm(formdata=None),
        close_form=close_form or CloseForm(formdata=None),
        affinity_choices=choices,
    )


@bp.route("/departments/<slug>/mentorship/requests/<int:request_id>", methods=["GET", "POST"])
@login_required
@commits_on_return
def request_page(slug: str, request_id: int):
    department = _department(slug)
    mentor_request = _request(department, request_id)
    form = MatchForm()
    form.mentor.choices = [
        (c.mentor_id, c.name) for c in queries.candidates(department, mentor_request.cycle)
    ]
    if form.validate_on_submit():
        mentor = _mentor(department, form.mentor.data)
        with refusal() as refused:
            services.match_request(
                mentor_request, mentor, version=form.version.number, by=current_user
            )
        if error := refused.error:
            attach_error(form, error)
            mentor_request = _request(department, request_id)
        else:
            db.session.commit()
            flash(f"Matched with {mentor.name}: both are introduced by email.", "success")
            return redirect(
                url_for("mentorship_staff.request_page", slug=slug, request_id=request_id)
            )
    return _match_page(department, mentor_request, match_form=form if form.is_submitted() else None)


@bp.route("/departments/<slug>/mentorship/requests/<int:request_id>/meeting", methods=["POST"])
@login_required
@commits_on_return
def meeting(slug: str, request_id: int):
    department = _department(slug)
    mentor_request = _request(department, request_id)
    form = MeetingForm()
    if form.validate_on_submit():
        with refusal() as refused:
            services.record_first_meeting(mentor_request, form.met_on.data, by=current_user)
        if error := refused.error:
            attach_error(form, error)
            mentor_request = _request(department, request_id)
        else:
            db.session.commit()
            flash("The first meeting is recorded.", "success")
            return redirect(
                url_for("mentorship_staff.request_page", slug=slug, request_id=request_id)
            )
    return _match_page(department, mentor_request, meeting_form=form)


@bp.route("/departments/<slug>/mentorship/requests/<int:request_id>/close", methods=["POST"])
@login_required
@commits_on_return
def close(slug: str, request_id: int):
    department = _department(slug)
    mentor_request = _request(department, request_id)
    form = CloseForm()
    if form.validate_on_submit():
        with refusal() as refused:
            services.close_request(mentor_request, reason=form.reason.data, by=current_user)
        if error := refused.error:
            attach_error(form, error)
            mentor_request = _request(department, request_id)
        else:
            db.session.commit()
            flash("The request is closed and the student is told.", "success")
            return redirect(url_for("mentorship_staff.department", slug=slug))
    return _match_page(department, mentor_request, close_form=form)
