"""A director's allocation pages: start a run, preview and compare it, adjust, publish."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from clerkship.allocation import instances, previews, queries, services
from clerkship.allocation.forms import (
    UNPLACED,
    DiscardForm,
    MoveForm,
    PublishForm,
    StartRunForm,
    SwapForm,
)
from clerkship.allocation.instances import department_blocks
from clerkship.allocation.models import AllocationRun, RunState
from clerkship.allocation.permissions import can_run_allocation
from clerkship.applications.models import Application
from clerkship.core.forms import attach_error
from clerkship.core.params import query
from clerkship.core.permissions import login_required, require
from clerkship.core.rules import RuleViolation
from clerkship.core.transactions import refusal
from clerkship.cycles import queries as cycle_queries
from clerkship.cycles.models import Block, Department
from clerkship.extensions import db
from clerkship.reviews.queries import application_scores
from clerkship.reviews.rounds.services import find_round

bp = Blueprint("allocation", __name__)

STALE = (
    "The placements changed after you opened this page (another director adjusted or "
    "published the run). Nothing was changed; review the placements below and try again."
)


def _department(slug: str) -> Department:
    department = cycle_queries.department_or_404(slug)
    require(
        can_run_allocation(current_user, department),
        f"Only the directors of {department.name} run its allocation.",
    )
    return department


def _run(run_id: int, *, lock: bool = False) -> AllocationRun:
    statement = select(AllocationRun).where(AllocationRun.id == run_id)
    if lock:  # one change to a run at a time (SQLite: the request's write lock)
        statement = statement.with_for_update(of=AllocationRun).execution_options(
            populate_existing=True
        )
    run = db.session.scalar(statement)
    if run is None:
        abort(404)
    require(
        can_run_allocation(current_user, run.department),
        f"Only the directors of {run.department.name} see and change its allocation runs.",
    )
    return run


def _cycle():
    return cycle_queries.requested_cycle(cycle_queries.all_cycles())


@bp.route("/departments/<slug>/allocation/")
@login_required
def index(slug: str):
    department = _department(slug)
    cycle = _cycle()
    return render_template(
        "allocation/index.html",
        department=department,
        cycle=cycle,
        runs=queries.runs(department, cycle) if cycle else [],
        published=services.published_run(department, cycle) if cycle else None,
        waiting=queries.waiting_count(department, cycle) if cycle else 0,
        form=StartRunForm(),
    )


def _score_source(department: Department, cycle) -> str:
    """Which composite feeds the run, as the director chose it on the ranking page."""
    review_round = find_round(department, cycle)
    if review_round is None:
        return "No review round (every score 0)"
    return review_round.composite_source.label


@bp.route("/departments/<slug>/allocation/runs", methods=["POST"])
@login_required
def start(slug: str):
    department = _department(slug)
    cycle = _cycle()
    form = StartRunForm()
    if cycle is None or not form.validate_on_submit():
        flash("The form expired or no cycle is open. Nothing was started; try again.", "danger")
        return redirect(url_for("allocation.index", slug=slug))
    with refusal() as refused:
        run = services.start_run(
            department,
            cycle,
            scores=application_scores(department, cycle),
            score_source=_score_source(department, cycle),
            by=current_user,
        )
    if error := refused.error:
        flash(error.message, "danger")
        return redirect(url_for("allocation.index", slug=slug, cycle=cycle.slug))
    db.session.commit()
    flash(
        f"The run of {run.started} is ready to preview. Nothing is sent until you publish it.",
        "success",
    )
    return redirect(url_for("allocation.show", run_id=run.id))


def _set_choices(form, summary: dict, students: set[int] | None = None) -> None:
    """The blocks a move form offers, and the students a move or swap accepts (on a POST)."""
    if isinstance(form, MoveForm):
        form.block_id.choices = (
            [(-1, "Choose a block")]
            + [(b["id"], b["label"]) for b in summary["blocks"]]
            + [(UNPLACED, "Leave unplaced")]
        )
    if isinstance(form, MoveForm | SwapForm):
        form.students = students


def _run_students(run: AllocationRun) -> set[int]:
    """Application numbers of the run's students (read from its frozen inputs)."""
    return {instances.pk_of(s["id"]) for s in run.inputs["students"]}


def _forms(run: AllocationRun, summary: dict, bound: dict | None = None) -> dict:
    """The run page's forms, with the one that was sent kept as typed."""
    seen = queries.fingerprint(run, summary.get("digest"))
    forms = {
        "move_form": MoveForm(formdata=None),
        "swap_form": SwapForm(formdata=None),
        "publish_form": PublishForm(formdata=None),
        "discard_form": DiscardForm(formdata=None),
    }
    forms.update(bound or {})
    for form in forms.values():
        _set_choices(form, summary)
        form.seen.data = seen
    return forms


LIST_NAMES = ("unplaced", "differences", "warnings", "block")


def _render(run: AllocationRun, bound: dict | None = None, status: int = 200):
    """The run page from its stored preview: a fixed size whatever the season's."""
    summary = previews.summary(run)
    listing = query.choice("list", LIST_NAMES)
    shown = None
    if listing is not None:
        block_id = query.id("block") if listing == "block" else None
        shown = previews.list_page(run, listing, query.page(), block_id)
        shown_block = next((b for b in summary["blocks"] if b["id"] == block_id), None)
    return (
        render_template(
            "allocation/show.html",
            run=run,
            department=run.department,
            summary=summary,
            listing=listing,
            shown=shown,
            shown_block=shown_block if listing == "block" else None,
            page_size=previews.PAGE,
            rule_labels=list(queries.RULE_LABELS.values()),
            publish_refusals=queries.publish_refusals(run, summary["unscored"])
            if run.state == RunState.PREVIEW
            else [],
            publish_override=queries.publish_override(run)
            if run.state == RunState.PUBLISHED
            else None,
            **_forms(run, summary, bound),
        ),
        status,
    )


@bp.route("/allocation/runs/<int:run_id>")
@login_required
def show(run_id: int):
    return _render(_run(run_id))


def _checked(run: AllocationRun, form) -> bool:
    """Validate a change form against the page it came from; errors stay on the form."""
    valid = form.validate_on_submit()
    if form.seen.data != queries.fingerprint(run):
        form.form_errors.append(STALE)
        return False
    return valid


def _application(run: AllocationRun, application_id: int | None, field: str) -> Application:
    application = db.session.get(Application, application_id or 0)
    if application is None or application.department_id != run.department_id:
        raise RuleViolation("Choose a student of this run.", field=field)
    return application


@bp.route("/allocation/runs/<int:run_id>/move", methods=["POST"])
@login_required
def move(run_id: int):
    run = _run(run_id, lock=True)
    form = MoveForm()
    _set_choices(form, previews.summary(run), _run_students(run))
    if _checked(run, form):
        with refusal() as refused:
            application = _application(run, form.application_id.data, "application_id")
            block = None
            if form.block_id.data != UNPLACED:
                block = db.session.get(Block, form.block_id.data)
                if block is None or block not in department_blocks(run.department, run.cycle):
                    raise RuleViolation("Choose a block of this run.", field="block_id")
            services.move_student(run, application, block, by=current_user)
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_after_change("Moved " + application.student.full_name, run), "success")
            return redirect(url_for("allocation.show", run_id=run.id))
    return _render(run, {"move_form": form}, 400)


@bp.route("/allocation/runs/<int:run_id>/swap", methods=["POST"])
@login_required
def swap(run_id: int):
    run = _run(run_id, lock=True)
    form = SwapForm()
    _set_choices(form, previews.summary(run), _run_students(run))
    if _checked(run, form):
        with refusal() as refused:
            first = _application(run, form.first_id.data, "first_id")
            second = _application(run, form.second_id.data, "second_id")
            services.swap_students(run, first, second, by=current_user)
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            names = f"{first.student.full_name} and {second.student.full_name}"
            flash(_after_change("Swapped " + names, run), "success")
            return redirect(url_for("allocation.show", run_id=run.id))
    return _render(run, {"swap_form": form}, 400)


def _after_change(done: str, run: AllocationRun) -> str:
    if queries.breaks_rule(run):
        return f"{done}. The placements now break the published rule: see the warnings."
    return f"{done}. The placements still follow the published rule."


@bp.route("/allocation/runs/<int:run_id>/publish", methods=["POST"])
@login_required
def publish(run_id: int):
    run = _run(run_id, lock=True)
    if run.state == RunState.PUBLISHED:  # a second click, or another director was first
        flash("This run is already published; its offers are out.", "info")
        return redirect(url_for("allocation.show", run_id=run.id))
    form = PublishForm()
    if _checked(run, form):
        with refusal() as refused:
            services.publish_run(
                run, by=current_user, override_reason=form.override_reason.data or ""
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Published: every placed student has an offer by email.", "success")
            return redirect(url_for("offers.department", slug=run.department.slug))
    return _render(run, {"publish_form": form}, 400)


@bp.route("/allocation/runs/<int:run_id>/discard", methods=["POST"])
@login_required
def discard(run_id: int):
    run = _run(run_id, lock=True)
    form = DiscardForm()
    if run.state == RunState.DISCARDED:
        flash("This run was already set aside.", "info")
        return redirect(url_for("allocation.index", slug=run.department.slug))
    if _checked(run, form):
        with refusal() as refused:
            services.discard_run(run, by=current_user)
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"The run of {run.started} was set aside; it stays readable.", "info")
            return redirect(url_for("allocation.index", slug=run.department.slug))
    return _render(run, {"discard_form": form}, 400)
