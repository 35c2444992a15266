"""Students answer offers; directors and coordinators follow offers and the waitlist."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from clerkship.allocation import queries as allocation_queries
from clerkship.allocation.permissions import can_run_allocation
from clerkship.allocation.services import published_run
from clerkship.core.forms import attach_error
from clerkship.core.params import query
from clerkship.core.permissions import get_or_403, login_required, require
from clerkship.core.time import utcnow
from clerkship.core.transactions import refusal
from clerkship.cycles import queries as cycle_queries
from clerkship.extensions import db
from clerkship.offers import queries, services
from clerkship.offers.forms import AnswerForm, CloseWaitlistForm, DeclineForm
from clerkship.offers.models import Offer, OfferState
from clerkship.offers.permissions import can_answer_offer, can_view_offers

bp = Blueprint("offers", __name__)

NOT_YOURS = "This offer is not yours, or does not exist."


def _offer(offer_id: int) -> Offer:
    return get_or_403(Offer, offer_id, can_answer_offer, NOT_YOURS)


@bp.route("/offers/<int:offer_id>")
@login_required
def show(offer_id: int):
    offer = _offer(offer_id)
    return render_template(
        "offers/show.html",
        offer=offer,
        open_now=offer.state == OfferState.PENDING and offer.expires_at > utcnow(),
        accept_form=AnswerForm(),
    )


@bp.route("/offers/<int:offer_id>/accept", methods=["POST"])
@login_required
def accept(offer_id: int):
    offer = _offer(offer_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        abort(400)
    with refusal() as refused:
        outcome = services.accept_offer(offer, by=current_user)
    if error := refused.error:
        flash(error.message, "danger")
        return redirect(url_for("offers.show", offer_id=offer_id))
    db.session.commit()
    flash(
        {
            services.Outcome.DONE: "You accepted the offer. The coordinator will be in touch.",
            services.Outcome.ALREADY: "You had already accepted this offer.",
            services.Outcome.EXPIRED: "Sorry: this offer expired before you accepted it.",
        }[outcome],
        "danger" if outcome == services.Outcome.EXPIRED else "success",
    )
    return redirect(url_for("offers.show", offer_id=offer_id))


@bp.route("/offers/<int:offer_id>/decline", methods=["GET", "POST"])
@login_required
def decline(offer_id: int):
    offer = _offer(offer_id)
    form = DeclineForm()
    if request.method == "POST" and offer.state == OfferState.DECLINED:
        flash("You had already declined this offer.", "info")
        return redirect(url_for("offers.show", offer_id=offer_id))
    if form.validate_on_submit():
        with refusal() as refused:
            services.decline_offer(offer, by=current_user)
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash("You declined the offer.", "info")
            return redirect(url_for("offers.show", offer_id=offer_id))
    return render_template("offers/decline.html", offer=offer, form=form)


def _department_page(slug: str):
    department = cycle_queries.department_or_404(slug)
    require(
        can_view_offers(current_user, department),
        f"Only the directors and coordinators of {department.name} follow its offers.",
    )
    return department, cycle_queries.requested_cycle(cycle_queries.all_cycles())


@bp.route("/departments/<slug>/offers/")
@login_required
def department(slug: str):
    department, cycle = _department_page(slug)
    return _render_department(department, cycle, CloseWaitlistForm(formdata=None))


def _render_department(department, cycle, close_form: CloseWaitlistForm, status: int = 200):
    chosen_state = query.enum("state", OfferState)
    offers = queries.department_offers(department, cycle, chosen_state) if cycle else []
    moves = queries.seat_moves(department, cycle) if cycle else []
    return (
        render_template(
            "offers/department.html",
            department=department,
            cycle=cycle,
            offers=offers,
            moves=moves,
            states=list(OfferState),
            chosen_state=chosen_state,
            waiting=allocation_queries.waiting_count(department, cycle) if cycle else 0,
            published=published_run(department, cycle) if cycle else None,
            close_form=close_form,
        ),
        status,
    )


@bp.route("/departments/<slug>/offers/close-waitlist", methods=["POST"])
@login_required
def close_waitlist(slug: str):
    department, cycle = _department_page(slug)
    require(
        can_run_allocation(current_user, department),
        f"Only the directors of {department.name} close its waitlist.",
    )
    form = CloseWaitlistForm()
    if cycle is not None and form.validate_on_submit():
        with refusal() as refused:
            closed = services.close_waitlist(department, cycle, by=current_user)
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(
                f"The waitlist is closed: {closed} student(s) told they were not selected.",
                "info",
            )
            return redirect(url_for("offers.department", slug=slug, cycle=cycle.slug))
    return _render_department(department, cycle, form, 400)
