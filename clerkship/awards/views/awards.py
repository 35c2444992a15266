"""The student's award application: draft, submit, withdraw, decline."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from clerkship.awards import queries, services
from clerkship.awards.eligibility import attestation_choices
from clerkship.awards.forms import ActionForm, AwardApplicationForm
from clerkship.awards.models import AwardState
from clerkship.awards.money import format_money
from clerkship.awards.permissions import can_apply_for_award
from clerkship.core.forms import attach_error
from clerkship.core.params import posted
from clerkship.core.permissions import login_required, require
from clerkship.core.rules import RuleViolation
from clerkship.core.time import local_today
from clerkship.core.transactions import refusal
from clerkship.documents.models import DocumentKind
from clerkship.documents.queries import current_document
from clerkship.extensions import db
from clerkship.pathway import queries as pathway_queries
from clerkship.pathway.views.pathway import load_cycle

bp = Blueprint("awards", __name__, url_prefix="/awards")

STUDENTS_ONLY = "Only students apply for the award, for themselves."


@bp.app_template_filter("money")
def money_filter(cents: int | None) -> str:
    return format_money(cents)


def _application_form(cycle, settings, award, applications) -> AwardApplicationForm:
    form = AwardApplicationForm(obj=award if request.method == "GET" else None)
    form.application_id.choices = [
        (a.id, f"{a.department.name} ({a.state.label.lower()})") for a in applications
    ]
    form.attestations.choices = attestation_choices(settings.rules)
    if request.method == "GET" and award is not None:
        form.attestations.data = list(award.attestations)
    if request.method == "GET" and award is not None:
        form.version.data = str(award.version)
    return form


@bp.route("/<cycle_slug>/", methods=["GET", "POST"])
@login_required
def student(cycle_slug: str):
    cycle = load_cycle(cycle_slug)
    require(can_apply_for_award(current_user), STUDENTS_ONLY)
    settings = queries.settings_for(cycle)
    award = queries.live_award(current_user, cycle)
    applications = pathway_queries.student_applications(current_user, cycle)
    form = None
    if settings is not None and (award is None or award.is_editable):
        form = _application_form(cycle, settings, award, applications)
        if form.validate_on_submit():
            submitting = posted.text("action") == "submit"
            with refusal() as refused:
                award = services.save_award_draft(
                    current_user,
                    cycle,
                    award,
                    application_id=form.application_id.data,
                    essay=form.essay.data or "",
                    financial_need=form.financial_need.data or "",
                    attestations=form.attestations.data or [],
                    version=form.version.data,
                    by=current_user,
                )
                if submitting:
                    departments = services.submit_award_application(
                        award, today=local_today(), by=current_user
                    )
            if isinstance(refused.error, services.EligibilityRefused):
                form.form_errors.append(
                    "Your award application was not submitted and nothing was saved. Put right "
                    "what is listed, then submit again (or save it as a draft):"
                )
                for failure in refused.error.failures:
                    attach_error(form, RuleViolation(_named(form, failure), field=failure.field))
            elif error := refused.error:
                attach_error(form, error)
            else:
                db.session.commit()
                if submitting:
                    flash(_submitted_message(departments, cycle), "success")
                else:
                    flash(f"Your draft is saved ({award.essay_words} words).", "success")
                return redirect(url_for("awards.student", cycle_slug=cycle.slug))
        if request.method == "POST":
            # Nothing of a refused save stayed in the session (refusal() rolled it back); the
            # form keeps what was typed and now carries the current version, so sending it
            # again saves over it.
            award = queries.live_award(current_user, cycle)
            form.version.data = str(award.version) if award else ""
    return render_template(
        "awards/student.html",
        cycle=cycle,
        settings=settings,
        award=award,
        form=form,
        applications=applications,
        cv=current_document(current_user, cycle, DocumentKind.CV),
        departments=pathway_queries.reserved_seat_departments(current_user, cycle),
        withdrawn=queries.withdrawn_awards(current_user, cycle),
        action_form=ActionForm(formdata=None, version=award.version if award else ""),
        is_open=settings is not None and queries.is_open(settings),
        AwardState=AwardState,
    )


def _named(form: AwardApplicationForm, failure) -> str:
    """The failure with its rule's name, unless the field's own label already says it."""
    field = getattr(form, failure.field, None) if failure.field else None
    if field is not None and field.label.text.startswith(failure.name):
        return failure.message[:1].upper() + failure.message[1:]
    return str(failure)


def _submitted_message(departments, cycle) -> str:
    if not departments:
        return (
            "Your award application is submitted. You have no open rotation application, so "
            "no department will consider you for reserved seats yet."
        )
    prospects = " ".join(
        pathway_queries.reserved_seat_prospect(department, cycle) + "."
        for department in departments
    )
    return f"Your award application is submitted. You are now in the UIM pathway. {prospects}"


def _student_award(cycle_slug: str):
    cycle = load_cycle(cycle_slug)
    require(can_apply_for_award(current_user), STUDENTS_ONLY)
    return cycle, queries.live_award(current_user, cycle)


@bp.route("/<cycle_slug>/withdraw", methods=["POST"])
@login_required
def withdraw(cycle_slug: str):
    cycle, award = _student_award(cycle_slug)
    form = ActionForm()
    if award is None:
        flash("You have no award application to withdraw.", "info")
        return redirect(url_for("awards.student", cycle_slug=cycle.slug))
    with refusal() as refused:
        outcome = services.withdraw_award_application(
            award, version=form.version.data, by=current_user
        )
    if error := refused.error:
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(_withdrawn_message(outcome, cycle), "success")
    return redirect(url_for("awards.student", cycle_slug=cycle.slug))


def _withdrawn_message(outcome: services.Withdrawal, cycle) -> str:
    if outcome.was_draft:
        return "Your draft is discarded."
    message = "Your award application is withdrawn."
    if outcome.self_identified and outcome.still_in:
        message += " You stay in the UIM pathway because you self-identified. " + " ".join(
            pathway_queries.reserved_seat_prospect(d, cycle) + "." for d in outcome.still_in
        )
    elif outcome.left:
        message += (
            " You are no longer in the UIM pathway for "
            + ", ".join(d.name for d in outcome.left)
            + ". You can self-identify if you wish to stay in it."
        )
    return message


@bp.route("/<cycle_slug>/decline", methods=["POST"])
@login_required
def decline(cycle_slug: str):
    cycle, award = _student_award(cycle_slug)
    form = ActionForm()
    if award is None:
        flash("You have no award to decline.", "info")
        return redirect(url_for("awards.student", cycle_slug=cycle.slug))
    with refusal() as refused:
        services.decline_award(award, version=form.version.data, by=current_user)
    if error := refused.error:
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash("You declined the award. Thank you for telling us.", "success")
    return redirect(url_for("awards.student", cycle_slug=cycle.slug))
