"""Students resend or cancel letter requests; writers upload through their emailed link."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from clerkship.core.forms import attach_error
from clerkship.core.params import posted
from clerkship.core.permissions import get_or_403, login_required, public
from clerkship.core.transactions import refusal
from clerkship.core.urls import safe_next
from clerkship.extensions import db
from clerkship.letters import services
from clerkship.letters.forms import LetterUploadForm
from clerkship.letters.models import LetterRequest
from clerkship.letters.permissions import can_manage_letter

bp = Blueprint("letters", __name__, url_prefix="/letters")

NOT_YOURS = "This letter request does not exist, or it is not yours."


def _back() -> str:
    return safe_next(posted.text("next", max_length=2000), url_for("applications.index"))


@bp.route("/<int:letter_id>/resend", methods=["POST"])
@login_required
def resend(letter_id: int):
    letter = get_or_403(LetterRequest, letter_id, can_manage_letter, NOT_YOURS)
    with refusal() as refused:
        services.resend_letter_request(letter, by=current_user)
    if error := refused.error:
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(
            f"We emailed {letter.writer_name} a new link; the old one no longer works.", "success"
        )
    return redirect(_back())


@bp.route("/<int:letter_id>/cancel", methods=["POST"])
@login_required
def cancel(letter_id: int):
    letter = get_or_403(LetterRequest, letter_id, can_manage_letter, NOT_YOURS)
    with refusal() as refused:
        services.cancel_letter_request(letter, by=current_user)
    if error := refused.error:
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(
            f"The request to {letter.writer_name} is cancelled; their link no longer works.",
            "success",
        )
    return redirect(_back())


@bp.route("/write/<token>", methods=["GET", "POST"])
@public
def upload(token: str):
    try:
        letter = services.letter_for_link(token)
    except services.LinkProblem as problem:
        return render_template("letters/link_problem.html", problem=problem), 410
    form = LetterUploadForm()
    if form.validate_on_submit():
        try:
            with refusal() as refused:
                letter = services.receive_letter(token, form.file.data)
        except services.LinkProblem as problem:
            return render_template("letters/link_problem.html", problem=problem), 410
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            return render_template("letters/thanks.html", letter=letter)
    return render_template("letters/upload.html", letter=letter, form=form)
