"""Rosters and exports, the compliance tracker and the dashboards of a department."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from clerkship.applications.checklist import required_kinds
from clerkship.core.permissions import login_required, require
from clerkship.core.rules import RuleViolation
from clerkship.core.time import local_today
from clerkship.cycles import queries as cycle_queries
from clerkship.cycles.models import Cycle, Department
from clerkship.documents.models import Document
from clerkship.extensions import db
from clerkship.interviews import queries as interview_queries
from clerkship.interviews.permissions import can_view_interviews
from clerkship.rosters import compliance, dashboards, exports, queries, services
from clerkship.rosters.forms import RosterForm, validate_required
from clerkship.rosters.other_exports import award_roster_export, interview_schedule_export
from clerkship.rosters.permissions import (
    can_export_award_roster,
    can_export_rosters,
    can_track_compliance,
    can_view_dashboard,
    can_view_institution_dashboard,
)
from clerkship.rosters.render import export_response

bp = Blueprint("rosters", __name__)

PREVIEW_ROWS = 25


def _department(slug: str, predicate, message: str) -> Department:
    department = cycle_queries.department_by_slug(slug)
    if department is None:
        abort(404)
    require(predicate(current_user, department), message.format(department.name))
    return department


def _cycle() -> Cycle | None:
    wanted = request.args.get("cycle")
    if wanted:
        cycle = next((c for c in cycle_queries.all_cycles() if c.slug == wanted), None)
        if cycle is None:
            abort(404)
        return cycle
    return cycle_queries.current_cycle()


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
    department = _department(
        slug, can_export_rosters, "Only the directors and coordinators of {} export its rosters."
    )
    cycle = _cycle()
    form, blocks = _roster_form(department, cycle)
    preview, total, export = [], 0, None
    if cycle is not None and validate_required(form):
        block, site = _chosen(form, blocks, department)
        export = exports.roster_export(
            current_user,
            department,
            cycle,
            kind=form.kind.data,
            keys=form.columns.data or None,
            block=block,
            site=site,
            group_by=form.by.data,
        )
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
    )


@bp.route("/departments/<slug>/rosters/export")
@login_required
def export(slug: str):
    department = _department(
        slug, can_export_rosters, "Only the directors and coordinators of {} export its rosters."
    )
    cycle = _cycle()
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
    services.record_export(made, form.format.data, by=current_user)
    db.session.commit()
    return export_response(made, form.format.data)


@bp.route("/departments/<slug>/rosters/interviews.<fmt>")
@login_required
def interview_schedule(slug: str, fmt: str):
    department = _department(
        slug,
        can_view_interviews,
        "Only the directors and coordinators of {} see its interview days.",
    )
    cycle = _cycle()
    season = interview_queries.season_for(department, cycle) if cycle else None
    if season is None or fmt not in exports.FORMATS:
        abort(404)
    made = interview_schedule_export(current_user, season)
    services.record_export(made, fmt, by=current_user)
    db.session.commit()
    return export_response(made, fmt)


@bp.route("/rosters/awards.<fmt>")
@login_required
def award_roster(fmt: str):
    require(
        can_export_award_roster(current_user),
        "Only the award committee and administrators export the award roster.",
    )
    cycle = _cycle()
    if cycle is None or fmt not in exports.FORMATS:
        abort(404)
    made = award_roster_export(current_user, cycle, with_answers=request.args.get("answers") == "1")
    services.record_export(made, fmt, by=current_user)
    db.session.commit()
    return export_response(made, fmt)


COMPLIANCE_VIEWS = {
    "": "Every placed student",
    "not_cleared": "Not yet cleared",
    "next_month": "Not yet cleared, starting by the end of next month",
}


@bp.route("/departments/<slug>/onboarding/")
@login_required
def compliance_page(slug: str):
    department = _department(
        slug,
        can_track_compliance,
        "Only the directors and coordinators of {} track its placed students' documents.",
    )
    cycle = _cycle()
    show = request.args.get("show", "")
    if show not in COMPLIANCE_VIEWS:
        show = ""
    today = local_today()
    horizon = compliance.next_month_end(today)
    rows = []
    if cycle is not None:
        placements = compliance.placed(
            department,
            cycle,
            starting_by=horizon if show == "next_month" else None,
            today=today if show == "next_month" else None,
        )
        rows = compliance.compliance_of(department, placements)
        if show:
            rows = [r for r in rows if not r.cleared]
    return render_template(
        "rosters/compliance.html",
        department=department,
        cycle=cycle,
        rows=rows,
        show=show,
        views=COMPLIANCE_VIEWS,
        horizon=horizon,
        kinds=required_kinds(department),
    )


@bp.route("/departments/<slug>/onboarding/documents/<int:document_id>/verify", methods=["POST"])
@login_required
def verify(slug: str, document_id: int):
    department = _department(
        slug,
        can_track_compliance,
        "Only the directors and coordinators of {} verify its placed students' documents.",
    )
    document = db.session.get(Document, document_id)
    if document is None or services.placement_of(document, department) is None:
        abort(403, description=f"No such document of a student placed in {department.name}.")
    back = redirect(
        url_for(
            "rosters.compliance_page",
            slug=slug,
            cycle=document.cycle.slug,
            show=request.args.get("show", ""),
        )
    )
    try:
        changed = services.verify_document(document, department, by=current_user)
    except RuleViolation as error:
        flash(error.message, "danger")
        return back
    db.session.commit()
    flash(
        f"{document.kind.label} of {document.owner.full_name} verified."
        if changed
        else "That document was already verified.",
        "success" if changed else "info",
    )
    return back


@bp.route("/departments/<slug>/onboarding/remind", methods=["POST"])
@login_required
def remind(slug: str):
    department = _department(
        slug,
        can_track_compliance,
        "Only the directors and coordinators of {} remind its placed students.",
    )
    cycle = _cycle()
    if cycle is None:
        abort(404)
    sent = services.send_compliance_reminders(
        department, cycle, today=local_today(), by=current_user
    )
    db.session.commit()
    flash(
        f"Reminders sent to {sent} student{'s' if sent != 1 else ''} (nobody is reminded twice in a day).",
        "success",
    )
    return redirect(url_for("rosters.compliance_page", slug=slug, cycle=cycle.slug))


@bp.route("/departments/<slug>/dashboard")
@login_required
def dashboard(slug: str):
    department = _department(
        slug, can_view_dashboard, "Only the directors and coordinators of {} see its dashboard."
    )
    cycle = _cycle()
    charts = []
    if cycle is not None:
        charts = [
            dashboards.funnel(cycle, department),
            dashboards.block_fill(department, cycle),
            dashboards.score_distribution(department, cycle),
            dashboards.interview_fill(department, cycle),
        ]
    return render_template(
        "rosters/dashboard.html",
        department=department,
        cycle=cycle,
        cycles=cycle_queries.all_cycles(),
        charts=[c for c in charts if c is not None],
    )


@bp.route("/dashboard")
@login_required
def institution():
    require(
        can_view_institution_dashboard(current_user),
        "Only administrators and the award committee see the institution's dashboard.",
    )
    cycle = _cycle()
    charts = []
    if cycle is not None:
        charts = [
            dashboards.funnel(cycle),
            dashboards.department_fill(cycle),
            dashboards.award_budget(cycle),
        ]
    return render_template(
        "rosters/institution.html",
        cycle=cycle,
        cycles=cycle_queries.all_cycles(),
        charts=[c for c in charts if c is not None],
    )
