"""The student's documents for the season, and the one route that sends any document's file."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from clerkship.core.forms import attach_error
from clerkship.core.params import query
from clerkship.core.permissions import get_or_403, login_required, require
from clerkship.core.transactions import commits_on_return, refusal
from clerkship.cycles.queries import current_cycle
from clerkship.documents.forms import UploadForm
from clerkship.documents.models import Document, DocumentKind
from clerkship.documents.permissions import can_open_document, can_upload_documents
from clerkship.documents.services import record_download, upload_document
from clerkship.documents.storage import send_document, size_label
from clerkship.extensions import db

bp = Blueprint("documents", __name__, url_prefix="/documents")

NOT_ALLOWED = "This document does not exist, or you may not open it."

bp.add_app_template_filter(size_label, "filesize")


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    require(
        can_upload_documents(current_user),
        "Only students with a confirmed email address keep documents here.",
    )
    cycle = current_cycle()
    form = UploadForm()
    if cycle is not None and form.validate_on_submit():
        kind = DocumentKind(form.kind.data)
        with refusal() as refused:
            upload_document(
                current_user,
                cycle,
                kind=kind,
                file_storage=form.file.data,
                expires_on=form.expires_on.data,
                by=current_user,
                redacted=form.redacted.data,
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            copy = " redacted copy" if form.redacted.data else ""
            flash(f"Your {kind.label.lower()}{copy} is uploaded.", "success")
            return redirect(url_for("documents.index"))
    history = []
    if cycle is not None:
        history = list(
            db.session.scalars(
                select(Document)
                .where(
                    Document.owner_id == current_user.id,
                    Document.cycle_id == cycle.id,
                    Document.kind != DocumentKind.LETTER,
                )
                .order_by(Document.kind, Document.uploaded_at.desc(), Document.id.desc())
            )
        )
    return render_template("documents/index.html", cycle=cycle, form=form, history=history)


@bp.route("/<int:document_id>")
@login_required
@commits_on_return
def download(document_id: int):
    document = get_or_403(Document, document_id, can_open_document, NOT_ALLOWED)
    inline = query.flag("view")
    record_download(document, by=current_user, context="viewed" if inline else "documents")
    return send_document(document, inline=inline)
