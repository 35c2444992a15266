"""The compliance tracker: placed students' documents, verification, reminders."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from clerkship.applications.checklist import required_kinds
from clerkship.core.params import query
from clerkship.core.permissions import login_required
from clerkship.core.time import local_today
from clerkship.core.transactions import refusal
from clerkship.documents.models import Document
from clerkship.extensions import db
from clerkship.rosters import compliance, services
from clerkship.rosters.loading import chosen_cycle, load_department
from clerkship.rosters.permissions import can_track_compliance

bp = Blueprint("onboarding", __name__)


COMPLIANCE_VIEWS = {
    "": "Every placed student",
    "not_cleared": "Not yet cleared",
    "next_month": "Not yet cleared, starting by the end of next month",
}


@bp.route("/departments/<slug>/onboarding/")
@login_required
def index(slug: str):
    department = load_department(
        slug,
        can_track_compliance,
        "Only the directors and coordinators of {} track its placed students' documents.",
    )
    cycle = chosen_cycle()
    show = query.choice("show", COMPLIANCE_VIEWS, "")
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
    department = load_department(
        slug,
        can_track_compliance,
        "Only the directors and coordinators of {} verify its placed students' documents.",
    )
    document = db.session.get(Document, document_id)
    if document is None or services.placement_of(document, department) is None:
        abort(403, description=f"No such document of a student placed in {department.name}.")
    back = redirect(
        url_for(
            "onboarding.index",
            slug=slug,
            cycle=document.cycle.slug,
            show=query.choice("show", COMPLIANCE_VIEWS, ""),
        )
    )
    with refusal() as refused:
        changed = services.verify_document(document, department, by=current_user)
    if error := refused.error:
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
    department = load_department(
        slug,
        can_track_compliance,
        "Only the directors and coordinators of {} remind its placed students.",
    )
    cycle = chosen_cycle()
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
    return redirect(url_for("onboarding.index", slug=slug, cycle=cycle.slug))
