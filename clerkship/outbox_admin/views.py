"""The outbox: a list with a state filter, each message, a retry for failed ones."""

from __future__ import annotations

from email import message_from_bytes, policy

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from clerkship.core.params import query
from clerkship.core.permissions import get_or_403, login_required, require
from clerkship.core.transactions import refusal
from clerkship.extensions import db
from clerkship.outbox.models import MessageState, OutboxMessage
from clerkship.outbox.redaction import redact
from clerkship.outbox.services import retry_message
from clerkship.outbox_admin import queries
from clerkship.outbox_admin.permissions import (
    can_view_message,
    can_view_outbox,
    outbox_departments,
)

bp = Blueprint("outbox_admin", __name__, url_prefix="/outbox")

NOT_YOURS = "This message is not one you may read."


def _whole_message_shown() -> bool:
    """Development shows everything, so a newcomer without a mail server can follow links."""
    return current_app.config["ENV_NAME"] == "development"


@bp.route("/")
@login_required
def index():
    require(
        can_view_outbox(current_user),
        "Administrators, directors and coordinators read the outbox.",
    )
    state = query.enum("state", MessageState)
    page = db.paginate(
        queries.outbox_messages(outbox_departments(current_user), state),
        page=query.page(),
        per_page=50,
        error_out=False,
    )
    return render_template(
        "outbox_admin/index.html", page=page, state=state, states=list(MessageState)
    )


@bp.route("/<int:message_id>")
@login_required
def show(message_id: int):
    message = get_or_403(OutboxMessage, message_id, can_view_message, NOT_YOURS)
    whole = _whole_message_shown()
    parsed = message_from_bytes(message.raw, policy=policy.default)
    body = message.body_text if whole else redact(message.body_text, secret=message.contains_secret)
    attachments = [part.get_filename() or "(unnamed)" for part in parsed.iter_attachments()]
    return render_template(
        "outbox_admin/show.html",
        message=message,
        body=body,
        headers=[(name, str(value)) for name, value in parsed.items()],
        raw=message.raw.decode("utf-8", errors="replace") if whole else None,
        attachments=attachments,
        whole=whole,
    )


@bp.route("/<int:message_id>/retry", methods=["POST"])
@login_required
def retry(message_id: int):
    message = get_or_403(OutboxMessage, message_id, can_view_message, NOT_YOURS)
    with refusal() as refused:
        retry_message(message, by=current_user)
    if error := refused.error:
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash("The message is queued again: a worker sends it shortly.", "success")
    return redirect(url_for("outbox_admin.show", message_id=message.id))
