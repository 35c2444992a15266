"""Rosters and exports of a department (with its interview schedule), and the award roster."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from clerkship.core.params import query
from clerkship.core.permissions import login_required, require
from clerkship.core.selection import scope_of
from clerkship.core.transactions import commits_on_return
from clerkship.cycles import queries as cycle_queries
from clerkship.cycles.models import Cycle, Department
from clerkship.interviews import queries as interview_queries
from clerkship.interviews.permissions import can_view_interviews
from clerkship.rosters import exports, queries, services
from clerkship.rosters.forms import RosterForm, validate_required
from clerkship.rosters.loading import chosen_cycle, load_department
from clerkship.rosters.other_exports import award_roster_export, interview_schedule_export
from clerkship.rosters.permissions import (
    can_export_award_roster,
    can_export_rosters,
)
from clerkship.rosters.render import export_response

bp = Blueprint("rosters", __name__)

PREVIEW_ROWS = 25


def _roster_form(department: Department, cycle: Cycle | None) -> tuple[RosterForm, list]:
    columns = exports.available_columns(current_user, department)
    form = RosterForm(formdata=request.args)
    blocks = queries.roster_blocks(department, cycle) if cycle else []
    form.fill_choices(blocks, queries.roster_sites(department), columns)
    return form, blocks


def _chosen(form: RosterForm, blocks, department: Department):
    block = next((b for b in blocks if str(b.id) == form.block.data), None)
    site = next((s for s in queries.roster_sites(department) if str(s.id) == form.site.data), None)
    return block, site


@bp.route("/departments/<slug>/rosters/")
@login_required
def roster(slug: str):
    department = load_department(
        slug, can_export_rosters, "Only the directors and coordinators of {} export its rosters."
    )
    cycle = chosen_cycle()
    form, blocks = _roster_form(department, cycle)
    preview, total, export = [], 0, None
    if cycle is not None and validate_required(form):
        export, block, site = _made_export(form, blocks, department, cycle)
        total = queries.roster_count(
            department, cycle, block_id=block and block.id, site_id=site and site.id
        )
        preview = list(
            queries.roster_rows(
                department,
                cycle,
                block_id=block and block.id,
                site_id=site and site.id,
                group_by=form.by.data,
                limit=PREVIEW_ROWS,
            )
        )
    season = interview_queries.season_for(department, cycle) if cycle else None
    return render_template(
        "rosters/roster.html",
        department=department,
        cycle=cycle,
        cycles=cycle_queries.all_cycles(),
        form=form,
        export=export,
        preview=preview,
        total=total,
        season=season,
        formats=exports.FORMATS,
        answer_keys=[c.key for c in exports.ANSWER_COLUMNS],
        selection_scope=scope_of(
            [("cycle", cycle.slug if cycle else ""), *request.args.items(multi=True)],
            ("cycle", "block", "site"),
        ),
    )


def _made_export(form, blocks, department, cycle):
    """The export the valid roster form asks for, with the block and site it names."""
    block, site = _chosen(form, blocks, department)
    made = exports.roster_export(
        current_user,
        department,
        cycle,
        kind=form.kind.data,
        keys=form.columns.data or None,
        block=block,
        site=site,
        group_by=form.by.data,
    )
    return made, block, site


@bp.route("/departments/<slug>/rosters/export")
@login_required
@commits_on_return
def export(slug: str):
    department = load_department(
        slug, can_export_rosters, "Only the directors and coordinators of {} export its rosters."
    )
    cycle = chosen_cycle()
    if cycle is None:
        abort(404)
    form, blocks = _roster_form(department, cycle)
    if not validate_required(form):
        return render_template(
            "rosters/roster.html",
            department=department,
            cycle=cycle,
            cycles=cycle_queries.all_cycles(),
            form=form,
            export=None,
            preview=[],
            total=0,
            season=None,
            formats=exports.FORMATS,
            answer_keys=[],
        ), 400
    made, _block, _site = _made_export(form, blocks, department, cycle)
    services.record_export(made, form.format.data, by=current_user)
    return export_response(made, form.format.data)


@bp.route("/departments/<slug>/rosters/interviews.<fmt>")
@login_required
@commits_on_return
def interview_schedule(slug: str, fmt: str):
    department = load_department(
        slug,
        can_view_interviews,
        "Only the directors and coordinators of {} see its interview days.",
    )
    cycle = chosen_cycle()
    season = interview_queries.season_for(department, cycle) if cycle else None
    if season is None or fmt not in exports.FORMATS:
        abort(404)
    made = interview_schedule_export(current_user, season)
    services.record_export(made, fmt, by=current_user)
    return export_response(made, fmt)


@bp.route("/rosters/awards.<fmt>")
@login_required
@commits_on_return
def award_roster(fmt: str):
    require(
        can_export_award_roster(current_user),
        "Only the award committee and administrators export the award roster.",
    )
    cycle = chosen_cycle()
    if cycle is None or fmt not in exports.FORMATS:
        abort(404)
    made = award_roster_export(current_user, cycle, with_answers=query.flag("answers"))
    services.record_export(made, fmt, by=current_user)
    return export_response(made, fmt)
