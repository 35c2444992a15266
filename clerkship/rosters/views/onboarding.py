"""The onboarding page: placed students' documents, each opened beside its decisions
(verify, send back with a reason, undo), bulk verification of a selection, reminders."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination

from clerkship.applications.checklist import required_kinds
from clerkship.core.forms import attach_error
from clerkship.core.params import Params, query
from clerkship.core.permissions import login_required
from clerkship.core.selection import posted_selection, scope_of
from clerkship.core.time import local_today
from clerkship.core.transactions import refusal
from clerkship.cycles.models import Cycle, Department
from clerkship.documents.inspection import MEDIA_TYPES
from clerkship.documents.models import Document
from clerkship.extensions import db
from clerkship.rosters import compliance, queries, services
from clerkship.rosters.forms import RejectDocumentForm, UndoDecisionForm
from clerkship.rosters.loading import chosen_cycle, load_department
from clerkship.rosters.permissions import can_track_compliance

bp = Blueprint("onboarding", __name__)

SOURCE = "onboarding"
LIST_ARGS = ("cycle", "show", "state", "block", "page")
WHO = "Only the directors and coordinators of {} track its placed students' documents."


class ListPage(Pagination):
    """A page of a list already judged in memory (the compliance rule runs over every row)."""

    def _query_items(self) -> list:
        rows = self._query_args["rows"]
        return rows[self._query_offset : self._query_offset + self.per_page]

    def _query_count(self) -> int:
        return len(self._query_args["rows"])


@dataclass(frozen=True)
class Filters:
    """The list's filters, as its URL carries them."""

    show: str
    state: str
    block_id: int | None
    blocks: list  # the department's blocks in the cycle, the block filter's choices


def _filters(args: Params, department: Department, cycle: Cycle) -> Filters:
    """The filters of the query string (or of a posted selection's scope); a bad one is a 400."""
    blocks = queries.roster_blocks(department, cycle)
    block = args.choice("block", [str(b.id) for b in blocks])
    return Filters(
        show=args.choice("show", compliance.SHOW, "") or "",
        state=args.choice("state", compliance.DOCUMENT_STATES, "") or "",
        block_id=int(block) if block else None,
        blocks=blocks,
    )


def _list_args(cycle: Cycle) -> dict[str, str]:
    """The list's own query arguments of this request, to go back to it after a decision."""
    args = {k: v for k, v in request.args.items() if k in LIST_ARGS and v}
    args["cycle"] = cycle.slug
    return args


@bp.route("/departments/<slug>/onboarding/")
@login_required
def index(slug: str):
    department = load_department(slug, can_track_compliance, WHO)
    cycle = chosen_cycle()
    if cycle is None:
        return render_template("rosters/compliance.html", department=department, cycle=None)
    filters = _filters(query, department, cycle)
    today = local_today()
    students = compliance.listed_students(
        department,
        cycle,
        show=filters.show,
        state=filters.state,
        block_id=filters.block_id,
        today=today,
    )
    page = ListPage(
        page=query.page(),
        per_page=current_app.config["PAGE_SIZE"],
        max_per_page=None,
        error_out=False,
        rows=students,
    )
    return render_template(
        "rosters/compliance.html",
        department=department,
        cycle=cycle,
        page=page,
        filters=filters,
        waiting=len(compliance.waiting_document_ids(students)),
        blocks=filters.blocks,
        shows=compliance.SHOW,
        states=compliance.DOCUMENT_STATES,
        horizon=compliance.next_month_end(today),
        kinds=required_kinds(department),
        list_args=_list_args(cycle),
        selection_scope=scope_of(
            [("cycle", cycle.slug), *request.args.items(multi=True)],
            ("cycle", "show", "state", "block"),
        ),
    )


def _document(department: Department, document_id: int) -> Document:
    """A document of a kind department requires, of a student placed there (403 for any
    other, or none)."""
    document = db.session.get(Document, document_id)
    if (
        document is None
        or document.redacted
        or document.kind not in required_kinds(department)
        or services.placement_of(document, department) is None
    ):
        abort(
            403,
            description=f"No such onboarding document of a student placed in {department.name}.",
        )
    return document


def _review_page(department, document, *, reject=None, undo=None):
    """The document shown beside its decisions, with the student's other required documents."""
    cycle = document.cycle
    placed = compliance.placed_students([department], cycle, student_id=document.owner_id)
    student = next(
        (s for s in placed if any(i.document and i.document.id == document.id for i in s.items)),
        placed[0] if placed else None,
    )
    item = next(
        (
            i
            for i in (student.items if student else [])
            if i.document and i.document.id == document.id
        ),
        None,
    )
    decided = (
        "verified"
        if document.verified_at is not None
        else "rejected"
        if document.rejected_at is not None
        else ""
    )
    undo = undo or UndoDecisionForm(prefix="undo", data={"decision": decided})
    return render_template(
        "rosters/document.html",
        department=department,
        cycle=cycle,
        document=document,
        student=student,
        item=item,
        decided=decided,
        is_image=document.content_type in (MEDIA_TYPES["jpeg"], MEDIA_TYPES["png"]),
        reject=reject or RejectDocumentForm(prefix="reject"),
        undo=undo,
        list_args=_list_args(cycle),
    )


@bp.route("/departments/<slug>/onboarding/documents/<int:document_id>")
@login_required
def document(slug: str, document_id: int):
    department = load_department(slug, can_track_compliance, WHO)
    return _review_page(department, _document(department, document_id))


def _refused(department, document, form, error, **forms):
    """A refused decision: next to its field (the reason), or above the document's page,
    shown again as it is now (another decision may have changed it)."""
    if error.field:
        attach_error(form, error)
        return _review_page(department, document, **forms)
    flash(error.message, "danger")
    return redirect(
        url_for(
            "onboarding.document",
            slug=department.slug,
            document_id=document.id,
            **_list_args(document.cycle),
        )
    )


def _back_to_list(document: Document):
    args = _list_args(document.cycle)
    return redirect(url_for("onboarding.index", slug=request.view_args["slug"], **args))


def _onward(department: Department, document: Document):
    """After a decision: the next document awaiting verification in the list as the URL
    filters it (so a coordinator works through the list without going back), else the list."""
    cycle = document.cycle
    filters = _filters(query, department, cycle)
    students = compliance.listed_students(
        department,
        cycle,
        show=filters.show,
        state=filters.state,
        block_id=filters.block_id,
        today=local_today(),
    )
    waiting = compliance.waiting_document_ids(students)
    following = next(
        (d.id for s in students for d in s.documents if d is not None and d.id in waiting),
        None,
    )
    if following is None:
        return _back_to_list(document)
    args = {k: v for k, v in _list_args(cycle).items() if k != "page"}
    return redirect(
        url_for("onboarding.document", slug=department.slug, document_id=following, **args)
    )


@bp.route("/departments/<slug>/onboarding/documents/<int:document_id>/verify", methods=["POST"])
@login_required
def verify(slug: str, document_id: int):
    department = load_department(slug, can_track_compliance, WHO)
    document = _document(department, document_id)
    back = _back_to_list(document)
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
    return _onward(department, document)


@bp.route("/departments/<slug>/onboarding/documents/<int:document_id>/reject", methods=["POST"])
@login_required
def reject(slug: str, document_id: int):
    department = load_department(slug, can_track_compliance, WHO)
    document = _document(department, document_id)
    form = RejectDocumentForm(prefix="reject")
    if not form.validate_on_submit():
        return _review_page(department, document, reject=form)
    with refusal() as refused:
        changed = services.reject_document(
            document, department, reason=form.reason.data, by=current_user
        )
    if error := refused.error:
        return _refused(department, document, form, error, reject=form)
    db.session.commit()
    flash(
        f"{document.kind.label} of {document.owner.full_name} sent back; they are asked "
        "by email for a new version."
        if changed
        else "That document was already sent back.",
        "success" if changed else "info",
    )
    return _onward(department, document)


@bp.route("/departments/<slug>/onboarding/documents/<int:document_id>/undo", methods=["POST"])
@login_required
def undo(slug: str, document_id: int):
    department = load_department(slug, can_track_compliance, WHO)
    document = _document(department, document_id)
    form = UndoDecisionForm(prefix="undo")
    if not form.validate_on_submit():
        return _review_page(department, document, undo=form)
    with refusal() as refused:
        services.undo_decision(
            document,
            department,
            decision=form.decision.data or "",
            reason=form.reason.data,
            by=current_user,
        )
    if error := refused.error:
        return _refused(department, document, form, error, undo=form)
    db.session.commit()
    flash(f"Decision on the {document.kind.label} of {document.owner.full_name} undone.", "success")
    return redirect(
        url_for(
            "onboarding.document", slug=slug, document_id=document.id, **_list_args(document.cycle)
        )
    )


@bp.route("/departments/<slug>/onboarding/verify-selected", methods=["POST"])
@login_required
def verify_selected(slug: str):
    department = load_department(slug, can_track_compliance, WHO)
    cycle = chosen_cycle()
    selection = posted_selection([SOURCE])
    if cycle is None or selection is None:
        abort(400, description="This form carries no selection of documents.")
    scope = selection.scope
    filters = _filters(scope, department, cycle)
    back = redirect(
        url_for("onboarding.index", slug=slug, **dict(parse_qsl(selection.scope_query)))
    )
    if selection.is_empty:
        flash("Tick the documents to verify, or “All matching this filter”.", "warning")
        return back
    students = compliance.listed_students(
        department,
        cycle,
        show=filters.show,
        state=filters.state,
        block_id=filters.block_id,
        today=local_today(),
    )
    done = services.verify_selected(
        department,
        students,
        None if selection.all_matching else selection.ids,
        by=current_user,
    )
    db.session.commit()
    if done.verified:
        flash(f"Verified {len(done.verified)}: {'; '.join(done.verified)}.", "success")
    if done.refused:
        flash(
            f"Not verified ({len(done.refused)}): "
            + "; ".join(f"{name}: {why}" for name, why in done.refused)
            + ".",
            "warning",
        )
    if not done.verified and not done.refused:
        flash("No document awaits verification in this list.", "info")
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
