"""The award committee: the list, a page per application, decisions, payments, budget, settings."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from clerkship.applications.paging import paginate_ids, paginate_list
from clerkship.awards import listing, queries
from clerkship.awards.eligibility import Rule, attestation_choices
from clerkship.awards.forms import (
    ActionForm,
    AwardDecisionForm,
    PaymentForm,
)
from clerkship.awards.models import AwardApplication, AwardState
from clerkship.awards.money import format_money, to_dollars
from clerkship.awards.permissions import (
    can_decide_awards,
    can_pay_awards,
    can_view_awards,
)
from clerkship.awards.services import decisions
from clerkship.core.forms import attach_error
from clerkship.core.params import query
from clerkship.core.permissions import get_or_403, login_required, require
from clerkship.core.time import local_today
from clerkship.core.transactions import commits_on_return, refusal
from clerkship.cycles import queries as cycle_queries
from clerkship.extensions import db
from clerkship.pathway.views.pathway import load_cycle

bp = Blueprint("award_committee", __name__, url_prefix="/awards")

COMMITTEE_ONLY = "Only the award committee and administrators see award applications."
DECIDERS_ONLY = "Only members of the award committee decide awards."
PER_PAGE = 50
PAYERS_ONLY = "Only members of the award committee and administrators record payments."


@bp.route("/committee")
@login_required
def current():
    require(can_view_awards(current_user), COMMITTEE_ONLY)
    cycle = cycle_queries.current_cycle()
    if cycle is None:
        flash("No cycle exists yet.", "info")
        return redirect(url_for("home.index"))
    return redirect(url_for("award_committee.index", cycle_slug=cycle.slug))


@bp.route("/<cycle_slug>/committee/")
@login_required
def index(cycle_slug: str):
    cycle = load_cycle(cycle_slug)
    require(can_view_awards(current_user), COMMITTEE_ONLY)
    settings = queries.settings_for(cycle)
    filters = listing.read_filters(query)
    figures = listing.review_figures(cycle, current_user)
    stmt = listing.listed_awards(cycle, filters, figures.round_id)
    if filters.sort == "score":
        ordered = listing.order_by_score(
            list(db.session.scalars(stmt)), figures.scores, descending=filters.descending
        )
        page = paginate_list(ordered, page=query.page(), per_page=PER_PAGE)
    else:
        page = paginate_ids(stmt, page=query.page(), per_page=PER_PAGE)
    awards = queries.awards_by_ids(list(page.items))
    rows = queries.committee_rows(awards, settings) if settings else []
    return render_template(
        "awards/committee_list.html",
        cycle=cycle,
        settings=settings,
        rows=rows,
        page=page,
        filters=filters,
        states=listing.LISTED_STATES,
        scores=figures.scores,
        progress=listing.review_progress(figures.round_id, [a.id for a in awards]),
        budget=queries.budget(settings) if settings else None,
        alternate=queries.next_alternate(cycle) if settings else None,
    )


def _award(award_id: int) -> AwardApplication:
    return get_or_403(AwardApplication, award_id, lambda u, _a: can_view_awards(u), COMMITTEE_ONLY)


def _render_application(award: AwardApplication, **forms):
    settings = queries.settings_for(award.cycle)
    suggested = queries.suggested_amount(award, settings)
    decision_form = forms.get("decision_form") or AwardDecisionForm(
        formdata=None,
        decision="awarded" if query.flag("offer") else award.state.value,
        amount=to_dollars(award.amount_cents or suggested),
    )
    payment_form = forms.get("payment_form") or PaymentForm(
        formdata=None,
        paid_on=local_today(),
        paid_amount=to_dollars(award.amount_cents),
    )
    for form in (decision_form, payment_form):
        form.version.data = str(award.version)
    statements = dict(attestation_choices([r.value for r in Rule]))
    return render_template(
        "awards/committee_application.html",
        award=award,
        settings=settings,
        failures=queries.eligibility(award, settings),
        suggested=suggested,
        decision_form=decision_form,
        payment_form=payment_form,
        action_form=ActionForm(formdata=None, version=award.version),
        profile=queries.profile_of(award.student),
        overrides=queries.award_overrides(award),
        attested=[statements.get(code, code) for code in award.attestations],
        AwardState=AwardState,
    )


@bp.route("/applications/<int:award_id>")
@login_required
def application(award_id: int):
    award = _award(award_id)
    if award.state is AwardState.DRAFT:
        abort(404)
    return _render_application(award)


@bp.route("/applications/<int:award_id>/review", methods=["POST"])
@login_required
def review(award_id: int):
    award = _award(award_id)
    require(can_decide_awards(current_user), DECIDERS_ONLY)
    form = ActionForm()
    with refusal() as refused:
        decisions.mark_under_review(award, version=form.version.data, by=current_user)
    if error := refused.error:
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash("The application is under review; the student is told.", "success")
    return redirect(url_for("award_committee.application", award_id=award_id))


@bp.route("/applications/<int:award_id>/decision", methods=["POST"])
@login_required
def decide(award_id: int):
    award = _award(award_id)
    require(can_decide_awards(current_user), DECIDERS_ONLY)
    form = AwardDecisionForm()
    if form.validate_on_submit():
        with refusal() as refused:
            decisions.decide_award(
                award,
                decision=AwardState(form.decision.data),
                amount_cents=form.amount.cents if form.decision.data == "awarded" else None,
                note=form.note.data or "",
                version=form.version.data,
                by=current_user,
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(
                f"Decision recorded: {award.state.label.lower()}. The student is told.", "success"
            )
            return redirect(url_for("award_committee.application", award_id=award_id))
    return _render_application(award, decision_form=form)


@bp.route("/applications/<int:award_id>/payment", methods=["POST"])
@login_required
def payment(award_id: int):
    award = _award(award_id)
    require(can_pay_awards(current_user), PAYERS_ONLY)
    form = PaymentForm()
    if form.validate_on_submit():
        with refusal() as refused:
            decisions.record_payment(
                award,
                paid_on=form.paid_on.data,
                amount_cents=form.paid_amount.cents,
                reference=form.reference.data,
                version=form.version.data,
                today=local_today(),
                by=current_user,
                override_reason=form.override_reason.data or "",
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"Payment of {format_money(award.paid_cents)} recorded.", "success")
            return redirect(url_for("award_committee.application", award_id=award_id))
    return _render_application(award, payment_form=form)


@bp.route("/applications/<int:award_id>/cv")
@login_required
@commits_on_return
def cv(award_id: int):
    award = _award(award_id)
    if award.cv_document is None:
        abort(404)
    # The documents feature serves files; nobody else reads them.
    from clerkship.documents.services import record_download
    from clerkship.documents.storage import send_document

    record_download(award.cv_document, by=current_user, context=f"award application {award.id}")
    return send_document(award.cv_document)


@bp.route("/<cycle_slug>/budget")
@login_required
def budget(cycle_slug: str):
    cycle = load_cycle(cycle_slug)
    require(can_view_awards(current_user), COMMITTEE_ONLY)
    settings = queries.settings_for(cycle)
    return render_template(
        "awards/budget.html",
        cycle=cycle,
        settings=settings,
        budget=queries.budget(settings) if settings else None,
        awards=queries.money_awards(cycle),
        AwardState=AwardState,
    )
