"""The department's pages: the season, its days and rosters, invitations, the draw, exports."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from clerkship.applications.models import Application
from clerkship.core.forms import attach_error
from clerkship.core.permissions import login_required, require
from clerkship.core.rules import RuleViolation
from clerkship.core.time import local_end_of_day, local_today, to_local
from clerkship.cycles import queries as cycle_queries
from clerkship.cycles.models import Cycle, Department
from clerkship.extensions import db
from clerkship.interviews import exports, fair_release, invitations, queries, services
from clerkship.interviews.calendars import department_calendar
from clerkship.interviews.forms import DayForm, ImportForm, InviteApplicantsForm, SeasonForm
from clerkship.interviews.models import BookingMode, DayFormat, InterviewDay, SeasonPhase
from clerkship.interviews.permissions import can_manage_interviews, can_view_interviews

bp = Blueprint("interview_staff", __name__, url_prefix="/departments/<slug>/interviews")


def _department(slug: str, *, manage: bool = False) -> Department:
    department = cycle_queries.department_by_slug(slug)
    if department is None:
        abort(404)
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


def _cycle(slug: str) -> Cycle:
    cycle = db.session.scalar(select(Cycle).where(Cycle.slug == slug))
    if cycle is None:
        abort(404)
    return cycle


def _season(slug: str, cycle_slug: str, *, manage: bool = False):
    department = _department(slug, manage=manage)
    cycle = _cycle(cycle_slug)
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
    department = _department(slug)
    cycle = cycle_queries.current_cycle()
    if cycle is None:
        abort(404)
    return redirect(url_for("interview_staff.season", slug=department.slug, cycle=cycle.slug))


@bp.route("/<cycle>/")
@login_required
def season(slug: str, cycle: str):
    department = _department(slug)
    the_cycle = _cycle(cycle)
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
    department = _department(slug, manage=True)
    the_cycle = _cycle(cycle)
    season = queries.season_for(department, the_cycle)
    form = SeasonForm(obj=season)
    if season is not None and request.method == "GET":
        form.booking_mode.data = season.booking_mode.value
        form.version.data = str(season.version)
    if form.validate_on_submit():
        try:
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
                by=current_user,
            )
        except RuleViolation as error:
            db.session.rollback()
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
    )


@bp.route("/<cycle>/days/new", methods=["GET", "POST"])
@bp.route("/<cycle>/days/<int:day_id>/edit", methods=["GET", "POST"])
@login_required
def edit_day(slug: str, cycle: str, day_id: int | None = None):
    department, the_cycle, season = _season(slug, cycle, manage=True)
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
        try:
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
        except RuleViolation as error:
            db.session.rollback()
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
    _department_, _cycle_, season = _season(slug, cycle, manage=True)
    day = db.session.get(InterviewDay, day_id)
    if day is None:
        flash("That day had already been deleted.", "info")
        return _to_season(season)
    if day.season_id != season.id:
        abort(404)
    try:
        services.delete_day(day, by=current_user)
    except RuleViolation as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash("Interview day deleted.", "success")
    return _to_season(season)


@bp.route("/<cycle>/days/<int:day_id>")
@login_required
def day(slug: str, cycle: str, day_id: int):
    department, the_cycle, season = _season(slug, cycle)
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


def _default_reply_by():
    return local_today() + timedelta(days=7)


def _invite_form() -> InviteApplicantsForm:
    form = InviteApplicantsForm()
    if request.method == "GET":
        form.reply_by.data = _default_reply_by()
    return form


def _invitations_page(department, cycle, season, form, status=200):
    page = db.paginate(
        queries.season_invitations(season),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    invitable = []
    if can_manage_interviews(current_user, department):
        invitable = db.paginate(
            queries.invitable_applications(season),
            page=request.args.get("apage", 1, type=int),
            per_page=current_app.config["PAGE_SIZE"],
            error_out=False,
        ).items
        form.applications.choices = [
            (
                a.id,
                f"{a.student.full_name} ({a.student.email}) · {a.state.label} · "
                f"UIM pathway: {'yes' if a.in_pathway else 'no'}",
            )
            for a in invitable
        ]
    return render_template(
        "interviews/staff/invitations.html",
        department=department,
        cycle=cycle,
        season=season,
        page=page,
        bookings=queries.current_bookings(page.items),
        form=form,
        invitable=invitable,
    ), status


@bp.route("/<cycle>/invitations")
@login_required
def invitations_list(slug: str, cycle: str):
    department, the_cycle, season = _season(slug, cycle)
    return _invitations_page(department, the_cycle, season, _invite_form())


@bp.route("/<cycle>/invitations", methods=["POST"])
@login_required
def invite(slug: str, cycle: str):
    department, the_cycle, season = _season(slug, cycle, manage=True)
    form = _invite_form()
    if form.validate_on_submit():
        chosen = list(
            db.session.scalars(select(Application).where(Application.id.in_(form.applications.data)))
        )
        if len(chosen) != len(set(form.applications.data)):
            chosen = []
        try:
            sent = invitations.invite_applicants(
                season, chosen, reply_by=local_end_of_day(form.reply_by.data), by=current_user
            )
        except RuleViolation as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"{len(sent)} invitation(s) sent.", "success")
            return redirect(
                url_for("interview_staff.invitations_list", slug=slug, cycle=cycle), code=303
            )
    return _invitations_page(department, the_cycle, season, form, status=400)


@bp.route("/<cycle>/invitations/import", methods=["GET", "POST"])
@login_required
def import_list(slug: str, cycle: str):
    department, the_cycle, season = _season(slug, cycle, manage=True)
    form = ImportForm()
    if request.method == "GET":
        form.reply_by.data = _default_reply_by()
    problems: list[str] = []
    if form.validate_on_submit():
        upload = form.file.data
        if not (upload.filename or "").lower().endswith(".csv"):
            form.file.errors.append("Upload a .csv file (in a spreadsheet: Save as, CSV UTF-8).")
        else:
            try:
                sent = invitations.import_invitees(
                    season,
                    upload.read(invitations.MAX_IMPORT_BYTES + 1),
                    reply_by=local_end_of_day(form.reply_by.data),
                    by=current_user,
                )
            except invitations.ImportRefused as error:
                db.session.rollback()
                attach_error(form, error)
                problems = error.problems
            except RuleViolation as error:
                db.session.rollback()
                attach_error(form, error)
            else:
                db.session.commit()
                flash(f"{len(sent)} invitation(s) sent from the list.", "success")
                return redirect(
                    url_for("interview_staff.invitations_list", slug=slug, cycle=cycle), code=303
                )
    return render_template(
        "interviews/staff/import.html",
        department=department,
        cycle=the_cycle,
        season=season,
        form=form,
        problems=problems,
    ), (400 if form.errors or problems else 200)


@bp.route("/<cycle>/draw", methods=["POST"])
@login_required
def run_draw(slug: str, cycle: str):
    _department_, _cycle_, season = _season(slug, cycle, manage=True)
    try:
        record = fair_release.run_draw(season, by=current_user)
    except RuleViolation as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(f"The draw ran with seed {record.seed}. Everyone placed has been emailed.", "success")
    return _to_season(season, _anchor="draw")


@bp.route("/<cycle>/draw.json")
@login_required
def draw_record(slug: str, cycle: str):
    _department_, _cycle_, season = _season(slug, cycle)
    if season.draw is None:
        abort(404)
    record = season.draw
    return {
        "department": season.department.name,
        "cycle": season.cycle.name,
        "ran_at": record.ran_at.isoformat(),
        "seed": record.seed,
        "algorithm": "random serial dictatorship (clerkship.interviews.draw.draw_days)",
        "inputs": record.inputs,
        "result": record.result,
    }


def _download(body, mimetype: str, filename: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _filename(season, extension: str) -> str:
    return f"{season.department.slug}-interviews-{season.cycle.slug}.{extension}"


@bp.route("/<cycle>/schedule.csv")
@login_required
def schedule_csv(slug: str, cycle: str):
    _department_, _cycle_, season = _season(slug, cycle)
    return _download(
        exports.schedule_csv(exports.schedule_rows(season)),
        "text/csv",
        _filename(season, "csv"),
    )


@bp.route("/<cycle>/schedule.xlsx")
@login_required
def schedule_xlsx(slug: str, cycle: str):
    _department_, _cycle_, season = _season(slug, cycle)
    return _download(
        exports.schedule_xlsx(exports.schedule_rows(season), title=season.department.name),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _filename(season, "xlsx"),
    )


@bp.route("/<cycle>/calendar.ics")
@login_required
def calendar(slug: str, cycle: str):
    _department_, _cycle_, season = _season(slug, cycle)
    return _download(
        department_calendar(season, queries.day_figures(season)),
        "text/calendar",
        _filename(season, "ics"),
    )
