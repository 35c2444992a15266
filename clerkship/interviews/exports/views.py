"""The department's downloads: the schedule (CSV, XLSX), its calendar, the draw's record."""

from __future__ import annotations

from flask import Blueprint, Response, abort
from flask_login import current_user

from clerkship.audit.services import record_event
from clerkship.core.permissions import login_required
from clerkship.extensions import db
from clerkship.interviews import queries
from clerkship.interviews.exports import schedule as exports
from clerkship.interviews.exports.calendars import department_calendar
from clerkship.interviews.seasons.views import load_season

bp = Blueprint("interview_exports", __name__, url_prefix="/departments/<slug>/interviews/<cycle>")


@bp.route("/draw.json")
@login_required
def draw_record(slug: str, cycle: str):
    season = load_season(slug, cycle)[2]
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


def _audited(season, fmt: str) -> None:
    """Every export leaves an audit event naming who took what (committed before it goes)."""
    record_event(
        "interviews.schedule_exported",
        by=current_user,
        target=season,
        summary=f"{season.department.name} {season.cycle.name} interview schedule ({fmt})",
        format=fmt,
    )
    db.session.commit()


@bp.route("/schedule.csv")
@login_required
def schedule_csv(slug: str, cycle: str):
    season = load_season(slug, cycle)[2]
    body = exports.schedule_csv(exports.schedule_rows(season))
    _audited(season, "csv")
    return _download(body, "text/csv", _filename(season, "csv"))


@bp.route("/schedule.xlsx")
@login_required
def schedule_xlsx(slug: str, cycle: str):
    season = load_season(slug, cycle)[2]
    body = exports.schedule_xlsx(exports.schedule_rows(season))
    _audited(season, "xlsx")
    return _download(
        body,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _filename(season, "xlsx"),
    )


@bp.route("/calendar.ics")
@login_required
def calendar(slug: str, cycle: str):
    season = load_season(slug, cycle)[2]
    return _download(
        department_calendar(season, queries.day_figures(season)),
        "text/calendar",
        _filename(season, "ics"),
    )
