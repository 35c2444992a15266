"""The invitee's pages: their invitations, booking, ranking, waitlists and calendar."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from clerkship.core.permissions import get_or_403, login_required, require
from clerkship.core.transactions import refusal
from clerkship.extensions import db
from clerkship.interviews import queries
from clerkship.interviews.booking import services as booking
from clerkship.interviews.draw import services as fair_release
from clerkship.interviews.exports.calendars import personal_calendar
from clerkship.interviews.forms import WaitlistForm, ranking_form
from clerkship.interviews.models import Invitation, SeasonPhase
from clerkship.interviews.permissions import can_answer_invitation, can_view_own_interviews
from clerkship.interviews.waitlists import services as waitlists

bp = Blueprint("interviews", __name__, url_prefix="/interviews")

NOT_YOURS = "This interview invitation is not addressed to you."


def _invitation(invitation_id: int) -> Invitation:
    return get_or_403(Invitation, invitation_id, can_answer_invitation, NOT_YOURS)


def _waitlist_forms(invitation, days, current, entries) -> dict[int, WaitlistForm]:
    if not invitation.is_active or invitation.season.phase is not SeasonPhase.OPEN:
        return {}
    waiting = {entry.day_id for entry in entries}
    return {
        day.id: WaitlistForm(formdata=None, prefix=f"day{day.id}")
        for day in days
        if day.room == 0
        and not day.is_locked
        and day.id not in waiting
        and (current is None or current.day_id != day.id)
    }


def _page(invitation: Invitation, *, error: str | None = None, status: int = 200, ranking=None):
    season = invitation.season
    days = queries.offered_days(invitation)
    current = queries.active_booking(invitation)
    entries = queries.open_entries(invitation)
    if ranking is None and season.phase is SeasonPhase.RANKING and invitation.is_active:
        ranking = ranking_form(days, queries.ranking_of(invitation))
    return render_template(
        "interviews/invitation.html",
        invitation=invitation,
        season=season,
        phase=season.phase,
        Phase=SeasonPhase,
        days=days,
        current=current,
        entries=entries,
        positions=queries.waitlist_positions(invitation),
        waitlist_forms=_waitlist_forms(invitation, days, current, entries),
        ranking=ranking,
        error=error,
    ), status


def _act(invitation: Invitation, action: Callable[[], object], message: Callable[[object], str]):
    """Run one service; commit and say what happened, or show its refusal on the page."""
    with refusal() as refused:
        result = action()
    if error := refused.error:
        return _page(invitation, error=error.message, status=409)
    text = message(result)
    db.session.commit()
    flash(text, "success")
    return redirect(url_for("interviews.show", invitation_id=invitation.id), code=303)


@bp.route("/")
@login_required
def index():
    require(can_view_own_interviews(current_user), "Interview invitations are for students.")
    invitations = queries.invitations_of(current_user)
    return render_template("interviews/index.html", invitations=invitations)


@bp.route("/<int:invitation_id>")
@login_required
def show(invitation_id: int):
    return _page(_invitation(invitation_id))


@bp.route("/<int:invitation_id>/days/<int:day_id>/book", methods=["POST"])
@login_required
def book(invitation_id: int, day_id: int):
    invitation = _invitation(invitation_id)
    return _act(
        invitation,
        lambda: booking.book_day(invitation, day_id, by=current_user),
        lambda made: (
            f"You are booked on {made.day.label}. "
            "A confirmation with a calendar file is on its way."
        ),
    )


@bp.route("/<int:invitation_id>/cancel", methods=["POST"])
@login_required
def cancel(invitation_id: int):
    invitation = _invitation(invitation_id)
    return _act(
        invitation,
        lambda: booking.cancel_booking(invitation, by=current_user),
        lambda _: "Your booking is cancelled. You can book another day while seats remain.",
    )


@bp.route("/<int:invitation_id>/days/<int:day_id>/waitlist", methods=["POST"])
@login_required
def join_waitlist(invitation_id: int, day_id: int):
    invitation = _invitation(invitation_id)
    form = WaitlistForm(prefix=f"day{day_id}")
    auto_book = bool(form.auto_book.data)
    return _act(
        invitation,
        lambda: waitlists.join_waitlist(invitation, day_id, auto_book=auto_book, by=current_user),
        lambda entry: (
            f"You are on the waitlist for {entry.day.label}. "
            + (
                "If a seat frees up you will be booked and told by email."
                if auto_book
                else "If a seat frees up you will be offered it by email."
            )
        ),
    )


@bp.route("/<int:invitation_id>/waitlist/<int:entry_id>/leave", methods=["POST"])
@login_required
def leave_waitlist(invitation_id: int, entry_id: int):
    invitation = _invitation(invitation_id)
    return _act(
        invitation,
        lambda: waitlists.leave_waitlist(invitation, entry_id, by=current_user),
        lambda _: "You left the waitlist.",
    )


@bp.route("/<int:invitation_id>/offers/<int:entry_id>/accept", methods=["POST"])
@login_required
def accept_offer(invitation_id: int, entry_id: int):
    invitation = _invitation(invitation_id)
    return _act(
        invitation,
        lambda: waitlists.accept_offer(invitation, entry_id, by=current_user),
        lambda made: f"You are booked on {made.day.label}.",
    )


@bp.route("/<int:invitation_id>/offers/<int:entry_id>/decline", methods=["POST"])
@login_required
def decline_offer(invitation_id: int, entry_id: int):
    invitation = _invitation(invitation_id)
    return _act(
        invitation,
        lambda: waitlists.decline_offer(invitation, entry_id, by=current_user),
        lambda _: "You declined the seat; it goes to the next person on the waitlist.",
    )


@bp.route("/<int:invitation_id>/ranking", methods=["POST"])
@login_required
def rank(invitation_id: int):
    invitation = _invitation(invitation_id)
    days = queries.offered_days(invitation)
    form = ranking_form(days, {})
    unknown = [key for key in request.form if key.startswith("day_") and key not in form]
    if unknown:
        return _page(invitation, error=booking.NOT_OFFERED, status=409)
    if not form.validate_on_submit():
        return _page(invitation, ranking=form, status=400)
    choices = {
        day.id: int(form[f"day_{day.id}"].data) for day in days if form[f"day_{day.id}"].data
    }
    return _act(
        invitation,
        lambda: fair_release.save_ranking(invitation, choices, by=current_user),
        lambda _: (
            f"Your ranking of {len(choices)} day(s) is saved. You can change it until "
            "the ranking window closes."
        ),
    )


@bp.route("/<int:invitation_id>/decline", methods=["POST"])
@login_required
def decline(invitation_id: int):
    invitation = _invitation(invitation_id)
    return _act(
        invitation,
        lambda: booking.decline_invitation(invitation, by=current_user),
        lambda _: "You declined the invitation. Thank you for letting the department know.",
    )


@bp.route("/calendar.ics")
@login_required
def calendar():
    require(can_view_own_interviews(current_user), "Interview calendars are for students.")
    body = personal_calendar(queries.bookings_of(current_user))
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="my-interviews.ics"'},
    )
