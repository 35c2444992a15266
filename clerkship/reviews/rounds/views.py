"""Directors (and, for the award, the committee) run a round: settings, phases, rubric,
reviewers' caps, automatic assignment and reminders.

Each page exists twice: under a department (/departments/<slug>/reviews/...) and for
the award (/reviews/award/...). ?cycle=<slug> picks the cycle; the current one otherwise.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from clerkship.core.forms import attach_error
from clerkship.core.params import parse_id, posted, query
from clerkship.core.permissions import login_required, require
from clerkship.core.time import local_today
from clerkship.core.transactions import refusal
from clerkship.cycles import queries as catalogue
from clerkship.cycles.models import Cycle, Department
from clerkship.extensions import db
from clerkship.reviews import queries as review_queries
from clerkship.reviews.assignment import services as assignment_services
from clerkship.reviews.forms import AutoAssignForm, PhaseForm, SettingsForm, cap_form
from clerkship.reviews.models import BLINDABLE_FIELDS, Phase, ReviewRound
from clerkship.reviews.permissions import can_manage_reviews
from clerkship.reviews.reminders.services import send_reminders
from clerkship.reviews.reviewing.queries import reviewer_progress
from clerkship.reviews.rounds import services
from clerkship.reviews.rubrics import services as rubric_services
from clerkship.reviews.rubrics.forms import RubricForm, attach_nested_error, rubric_form_data
from clerkship.reviews.subjects import round_subjects

bp = Blueprint("review_setup", __name__)

# The buttons of the rubric editor: save it, add a criterion, apply a new scale.
RUBRIC_ACTIONS = ("save", "add", "scale")

SHORTFALL_SHOWN = 100  # applications short of reviewers listed on the round's page


def review_routes(rule: str, **options):
    """Register a view under a department and for the award."""

    def decorator(view):
        bp.add_url_rule(f"/departments/<slug>/reviews{rule}", view_func=view, **options)
        bp.add_url_rule(f"/reviews/award{rule}", view_func=view, defaults={"slug": None}, **options)
        return view

    return decorator


def forbidden(review_round: ReviewRound) -> str:
    if review_round.department is None:
        return "Only the award committee runs the award reviews."
    return f"Only the directors of {review_round.department.name} run its reviews."


def load_round(slug: str | None) -> tuple[Department | None, Cycle, ReviewRound, list[Cycle]]:
    """The department, the cycle asked for, its round (unsaved if not started) and all cycles."""
    department = None
    if slug is not None:
        department = catalogue.department_or_404(slug)
    cycles = catalogue.all_cycles()
    cycle = catalogue.requested_cycle(cycles)
    if cycle is None:
        abort(404, description="No cycle exists yet; an administrator creates one first.")
    review_round = services.find_round(department, cycle) or services.draft_round(department, cycle)
    require(can_manage_reviews(current_user, review_round), forbidden(review_round))
    return department, cycle, review_round, cycles


def started(department: Department | None, cycle: Cycle) -> ReviewRound:
    """The round, started now if it was not yet."""
    return services.ensure_round(department, cycle, by=current_user)


def round_url(endpoint: str, review_round: ReviewRound, **values) -> str:
    """A URL of a round's page (department or award), keeping its cycle."""
    slug = review_round.department.slug if review_round.department else None
    return url_for(endpoint, slug=slug, cycle=review_round.cycle.slug, **values)


@bp.app_context_processor
def _round_url():
    return {"round_url": round_url}


def _settings_form(review_round: ReviewRound) -> SettingsForm:
    data = {f"hide_{name}": getattr(review_round, f"hide_{name}") for name in BLINDABLE_FIELDS}
    data |= {
        "reveal_in_second_phase": review_round.reveal_in_second_phase,
        "first_phase_documents": [k.value for k in review_round.document_kinds(Phase.FIRST)],
        "second_phase_documents": [k.value for k in review_round.document_kinds(Phase.SECOND)],
        "due_on": review_round.due_on,
        "calibration_min_reviews": review_round.calibration_min_reviews,
        "disagreement_threshold": review_round.disagreement_threshold,
        "version": str(review_round.version),
    }
    return SettingsForm(formdata=None, data=data)


def _overview(review_round: ReviewRound, cycles, status=200, settings_form=None, assign_form=None):
    reviewers = assignment_services.round_reviewers(review_round)
    stored = review_round.id is not None
    progress = reviewer_progress(review_round, reviewers, local_today())
    subjects = round_subjects(review_round)
    short = assignment_services.shortfall(review_round) if stored else {}
    listed = list(short)[:SHORTFALL_SHOWN]
    return (
        render_template(
            "reviews/round.html",
            review_round=review_round,
            cycles=cycles,
            rubric=rubric_services.current_rubric(review_round),
            progress=progress,
            k=assignment_services.reviewers_per_subject(review_round),
            awaiting=len(subjects),
            shortfall=short,
            shortfall_shown=[(i, short[i]) for i in listed],
            shortfall_names=review_queries.student_names(subjects, listed),
            settings_form=settings_form or _settings_form(review_round),
            assign_form=assign_form or AutoAssignForm(formdata=None, due_on=review_round.due_on),
            phase_form=PhaseForm(formdata=None),
            cap_forms={p.reviewer.id: cap_form(p.reviewer, p.cap) for p in progress},
            today=local_today(),
        ),
        status,
    )


@review_routes("/")
@login_required
def overview(slug: str | None):
    _department, _cycle, review_round, cycles = load_round(slug)
    return _overview(review_round, cycles)[0]


@review_routes("/settings", methods=["POST"])
@login_required
def settings(slug: str | None):
    department, cycle, review_round, cycles = load_round(slug)
    form = SettingsForm()
    if form.validate_on_submit():
        review_round = started(department, cycle)
        with refusal() as refused:
            services.save_round_settings(
                review_round,
                version=form.version.number,
                hidden=form.hidden,
                reveal_in_second_phase=form.reveal_in_second_phase.data,
                due_on=form.due_on.data,
                calibration_min_reviews=form.calibration_min_reviews.data,
                disagreement_threshold=form.disagreement_threshold.data,
                documents={
                    Phase.FIRST: form.kinds(form.first_phase_documents),
                    Phase.SECOND: form.kinds(form.second_phase_documents),
                },
                by=current_user,
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Review settings saved.", "success")
            return redirect(round_url("review_setup.overview", review_round))
    return _overview(review_round, cycles, status=400, settings_form=form)


@review_routes("/phase", methods=["POST"])
@login_required
def phase(slug: str | None):
    department, cycle, review_round, _cycles = load_round(slug)
    form = PhaseForm()
    targets = {"second": Phase.SECOND, "closed": Phase.CLOSED, "reopen": Phase.FIRST}
    if form.validate_on_submit() and form.to.data in targets:
        review_round = started(department, cycle)
        with refusal() as refused:
            services.change_phase(review_round, targets[form.to.data], by=current_user)
        if error := refused.error:
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(f"The round is now: {review_round.phase.label}.", "success")
    else:
        flash("Choose one of the phase buttons.", "danger")
    return redirect(round_url("review_setup.overview", review_round))


@review_routes("/rubric")
@login_required
def rubric(slug: str | None):
    _department, _cycle, review_round, cycles = load_round(slug)
    versions = rubric_services.rubric_versions(review_round)
    chosen = query.int("version")
    shown = next((v for v in versions if v.number == chosen), versions[0] if versions else None)
    return render_template(
        "reviews/rubric.html",
        review_round=review_round,
        cycles=cycles,
        rubric=shown,
        versions=versions,
        in_use=rubric_services.is_in_use(shown) if shown else False,
    )


@review_routes("/rubric/edit", methods=["GET", "POST"])
@login_required
def edit_rubric(slug: str | None):
    department, cycle, review_round, _cycles = load_round(slug)
    current = rubric_services.current_rubric(review_round)
    if request.method == "GET":
        form = RubricForm(formdata=None, data=rubric_form_data(current))
        form.label_levels()
        return render_template(
            "reviews/rubric_edit.html", review_round=review_round, form=form, current=current
        )
    form = RubricForm()
    action = posted.choice("action", RUBRIC_ACTIONS, "save")
    form.fit_levels()
    if action == "add":
        form.criteria.append_entry({"weight": 1})
        form.fit_levels()
    elif action == "save" and form.validate_on_submit():
        low, high = form.bounds
        review_round = started(department, cycle)
        with refusal() as refused:
            saved = rubric_services.save_rubric(
                review_round,
                title=form.title.data,
                scale_low=low,
                scale_high=high,
                criteria=form.inputs(),
                based_on=parse_id(form.based_on.data),
                by=current_user,
            )
        if error := refused.error:
            attach_nested_error(form, error)
        else:
            db.session.commit()
            flash(f"Rubric saved as version {saved.number}.", "success")
            return redirect(round_url("review_setup.rubric", review_round))
    status = 400 if action == "save" else 200
    return (
        render_template(
            "reviews/rubric_edit.html", review_round=review_round, form=form, current=current
        ),
        status,
    )


@review_routes("/caps/<int:reviewer_id>", methods=["POST"])
@login_required
def cap(slug: str | None, reviewer_id: int):
    department, cycle, review_round, _cycles = load_round(slug)
    reviewer = {r.id: r for r in assignment_services.round_reviewers(review_round)}.get(reviewer_id)
    if reviewer is None:
        abort(404)
    form = cap_form(reviewer, None, formdata=request.form)
    if not form.validate_on_submit():
        flash(f"{reviewer.full_name}: {' '.join(form.cap.errors) or 'the form expired.'}", "danger")
    else:
        review_round = started(department, cycle)
        services.set_reviewer_cap(review_round, reviewer, form.cap.data, by=current_user)
        db.session.commit()
        limit = "no cap" if form.cap.data is None else f"a cap of {form.cap.data}"
        flash(f"{reviewer.full_name} now has {limit}.", "success")
    return redirect(round_url("review_setup.overview", review_round) + "#progress")


@review_routes("/assign", methods=["POST"])
@login_required
def assign(slug: str | None):
    department, cycle, review_round, cycles = load_round(slug)
    form = AutoAssignForm()
    if form.validate_on_submit():
        review_round = started(department, cycle)
        with refusal() as refused:
            result = assignment_services.assign_automatically(
                review_round, due_on=form.due_on.data, by=current_user
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            message = f"{result.made} new assignment(s) made."
            if result.uncovered:
                message += (
                    f" {len(result.uncovered)} application(s) could not get enough reviewers; "
                    "the list below says why."
                )
            flash(message, "warning" if result.uncovered else "success")
            return redirect(round_url("review_setup.overview", review_round) + "#assignment")
    return _overview(review_round, cycles, status=400, assign_form=form)


@review_routes("/reminders", methods=["POST"])
@login_required
def remind(slug: str | None):
    _department, _cycle, review_round, _cycles = load_round(slug)
    if review_round.id is None or not review_round.is_open:
        flash("There is nothing to remind anyone of in this round.", "info")
    else:
        count = send_reminders(
            today=local_today(), within_days=None, review_round=review_round, by=current_user
        )
        db.session.commit()
        if count:
            flash(f"Reminders sent to {count} reviewer(s) with unfinished reviews.", "success")
        else:
            flash("No reminder was due: everyone is done or was reminded today.", "info")
    return redirect(round_url("review_setup.overview", review_round) + "#progress")
