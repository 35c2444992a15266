"""The department's pages: the season, its days and rosters, invitations, the draw, exports."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from clerkship.core.forms import attach_error
from clerkship.core.permissions import login_required, require
from clerkship.core.time import to_local
from clerkship.core.transactions import refusal
from clerkship.cycles import queries as cycle_queries
from clerkship.cycles.models import Cycle, Department
from clerkship.extensions import db
from clerkship.interviews import queries
from clerkship.interviews.draw import services as fair_release
from clerkship.interviews.forms import DayForm, SeasonForm
from clerkship.interviews.models import BookingMode, DayFormat, InterviewDay, SeasonPhase
from clerkship.interviews.permissions import can_manage_interviews, can_view_interviews
from clerkship.interviews.seasons import services

bp = Blueprint("interview_staff", __name__, url_prefix="/departments/<slug>/interviews")


def load_department(slug: str, *, manage: bool = False) -> Department:
    """The department of the URL, if the user may see (or, with manage, change) its season."""
    department = cycle_queries.department_or_404(slug)
    if manage:
        require(
            can_manage_interviews(current_user, department),
            f"Only the directors of {department.name} change its interview season.",
        )
    else:
        require(
            can_view_interviews(current_user, department),
            f"Only the directors and coordinators of {department.name} see its interview season.",
        )
    return department


def load_cycle(slug: str) -> Cycle:
    """The cycle of the URL."""
    cycle = db.session.scalar(select(Cycle).where(Cycle.slug == slug))
    if cycle is None:
        abort(404)
    return cycle


def load_season(slug: str, cycle_slug: str, *, manage: bool = False):
    """(department, cycle, season) of the URL, after the permission check; 404 without a season."""
    department = load_department(slug, manage=manage)
    cycle = load_cycle(cycle_slug)
    season = queries.season_for(department, cycle)
    if season is None:
        abort(404)
    return department, cycle, season


def _day(season, day_id: int) -> InterviewDay:
    day = db.session.get(InterviewDay, day_id)
    if day is None or day.season_id != season.id:
        abort(404)
    return day


def _to_season(season, **anchor):
    return redirect(
        url_for(
            "interview_staff.season",
            slug=season.department.slug,
            cycle=season.cycle.slug,
            **anchor,
        ),
        code=303,
    )


@bp.route("/")
@login_required
def index(slug: str):
    department = load_department(slug)
    cycle = cycle_queries.current_cycle()
    if cycle is None:
        abort(404)
    return redirect(url_for("interview_staff.season", slug=department.slug, cycle=cycle.slug))


@bp.route("/<cycle>/")
@login_required
def season(slug: str, cycle: str):
    department = load_department(slug)
    the_cycle = load_cycle(cycle)
    season = queries.season_for(department, the_cycle)
    figures = queries.day_figures(season) if season else []
    draw_check = fair_release.replay_draw(season.draw) if season and season.draw else None
    return render_template(
        "interviews/staff/season.html",
        department=department,
        cycle=the_cycle,
        cycles=cycle_queries.all_cycles(),
        season=season,
        figures=figures,
        counts=queries.invitation_counts(season) if season else {},
        Phase=SeasonPhase,
        draw_check=draw_check,
    )


@bp.route("/<cycle>/settings", methods=["GET", "POST"])
@login_required
def settings(slug: str, cycle: str):
    department = load_department(slug, manage=True)
    the_cycle = load_cycle(cycle)
    season = queries.season_for(department, the_cycle)
    form = SeasonForm(obj=season)
    if season is not None and request.method == "GET":
        form.booking_mode.data = season.booking_mode.value
        form.version.data = str(season.version)
        form.invite_states.data = list(season.invite_states)
    if request.method == "GET" and "preview" in request.args:
        form.invite_states.data = request.args.getlist("invite_states")
    if form.validate_on_submit():
        with refusal() as refused:
            if season is not None:
                form.check_version(season.version)
            season = services.save_season(
                season,
                department=department,
                cycle=the_cycle,
                booking_mode=BookingMode(form.booking_mode.data),
                ranking_hours=form.ranking_hours.data,
                lock_hours=form.lock_hours.data,
                offer_hours=form.offer_hours.data,
                invite_states=form.invite_states.data,
                by=current_user,
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash("The interview season is saved.", "success")
            return _to_season(season)
    return render_template(
        "interviews/staff/season_form.html",
        department=department,
        cycle=the_cycle,
        season=season,
        form=form,
        preview=_invite_preview(season, form.invite_states.data),
    )


def _invite_preview(season, chosen) -> list | None:
    """Who the chosen states would invite from their applications (not yet invited), by name."""
    if season is None:
        return None
    states = tuple(s for s in queries.INVITABLE_STATES if s.value in set(chosen or ()))
    return list(db.session.scalars(queries.invitable_applications(season, states)))


@bp.route("/<cycle>/days/new", methods=["GET", "POST"])
@bp.route("/<cycle>/days/<int:day_id>/edit", methods=["GET", "POST"])
@login_required
def edit_day(slug: str, cycle: str, day_id: int | None = None):
    department, the_cycle, season = load_season(slug, cycle, manage=True)
    day = _day(season, day_id) if day_id is not None else None
    form = DayForm()
    if request.method == "GET" and day is not None:
        start, end = to_local(day.starts_at), to_local(day.ends_at)
        form.held_on.data, form.starts.data, form.ends.data = start.date(), start.time(), end.time()
        form.format.data = day.format.value
        form.location.data, form.meeting_link.data = day.location, day.meeting_link
        form.capacity.data, form.reserved.data = day.capacity, day.reserved
        form.version.data = str(day.version)
    if form.validate_on_submit():
        with refusal() as refused:
            if day is not None:
                form.check_version(day.version)
            day = services.save_day(
                day,
                season=season,
                held_on=form.held_on.data,
                starts=form.starts.data,
                ends=form.ends.data,
                format=DayFormat(form.format.data),
                location=form.location.data or "",
                meeting_link=form.meeting_link.data or "",
                capacity=form.capacity.data,
                reserved=form.reserved.data,
                by=current_user,
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"Interview day {day.label} saved.", "success")
            return _to_season(season)
    return render_template(
        "interviews/staff/day_form.html",
        department=department,
        cycle=the_cycle,
        season=season,
        day=day,
        form=form,
    )


@bp.route("/<cycle>/days/<int:day_id>/delete", methods=["POST"])
@login_required
def delete_day(slug: str, cycle: str, day_id: int):
    season = load_season(slug, cycle, manage=True)[2]
    day = db.session.get(InterviewDay, day_id)
    if day is None:
        flash("That day had already been deleted.", "info")
        return _to_season(season)
    if day.season_id != season.id:
        abort(404)
    with refusal() as refused:
        services.delete_day(day, by=current_user)
    if error := refused.error:
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash("Interview day deleted.", "success")
    return _to_season(season)


@bp.route("/<cycle>/days/<int:day_id>")
@login_required
def day(slug: str, cycle: str, day_id: int):
    department, the_cycle, season = load_season(slug, cycle)
    the_day = _day(season, day_id)
    figures = next(f for f in queries.day_figures(season) if f.day.id == the_day.id)
    return render_template(
        "interviews/staff/day.html",
        department=department,
        cycle=the_cycle,
        season=season,
        day=the_day,
        figures=figures,
        roster=queries.roster(the_day),
        waitlist=queries.waitlist(the_day),
    )


@bp.route("/<cycle>/draw", methods=["POST"])
@login_required
def run_draw(slug: str, cycle: str):
    season = load_season(slug, cycle, manage=True)[2]
    with refusal() as refused:
        fair_release.run_draw(season, by=current_user)
    if error := refused.error:
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash("The draw ran. Everyone placed has been emailed.", "success")
    return _to_season(season, _anchor="draw")
