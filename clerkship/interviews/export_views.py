"""The department's downloads: the schedule (CSV, XLSX), its calendar, the draw's record."""

from __future__ import annotations

from flask import Blueprint, Response, abort

from clerkship.core.permissions import login_required
from clerkship.interviews import exports, queries
from clerkship.interviews.calendars import department_calendar
from clerkship.interviews.staff_views import load_season

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


@bp.route("/schedule.csv")
@login_required
def schedule_csv(slug: str, cycle: str):
    season = load_season(slug, cycle)[2]
    return _download(
        exports.schedule_csv(exports.schedule_rows(season)),
        "text/csv",
        _filename(season, "csv"),
    )


@bp.route("/schedule.xlsx")
@login_required
def schedule_xlsx(slug: str, cycle: str):
    season = load_season(slug, cycle)[2]
    return _download(
        exports.schedule_xlsx(exports.schedule_rows(season), title=season.department.name),
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
