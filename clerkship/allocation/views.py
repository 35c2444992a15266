"""A director's allocation pages: start a run, preview and compare it, adjust, publish."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from clerkship.allocation import queries, services
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
    flash(f"Run #{run.id} is ready to preview. Nothing is sent until you publish it.", "success")
    return redirect(url_for("allocation.show", run_id=run.id))


def _student_choices(preview: queries.Preview, *, placed_only: bool) -> list[tuple[int, str]]:
    rows = [
        (a.id, f"{a.student.full_name} ({block.block.label})")
        for block in preview.blocks
        for a, _s, _score in block.students
    ]
    if not placed_only:
        rows += [
            (u.application.id, f"{u.application.student.full_name} (unplaced)")
            for u in preview.unplaced
        ]
    return sorted(rows, key=lambda row: row[1])


def _set_choices(form, preview: queries.Preview) -> None:
    """The students and blocks a move or swap form offers (before it is validated)."""
    prompt = [(-1, "Choose a student")]
    if isinstance(form, MoveForm):
        form.application_id.choices = prompt + _student_choices(preview, placed_only=False)
        form.block_id.choices = (
            [(-1, "Choose a block")]
            + [(b.block.id, b.block.label) for b in preview.blocks]
            + [(UNPLACED, "Leave unplaced")]
        )
    elif isinstance(form, SwapForm):
        placed = _student_choices(preview, placed_only=True)
        form.first_id.choices = prompt + placed
        form.second_id.choices = prompt + placed


def _forms(run: AllocationRun, preview: queries.Preview, bound: dict | None = None) -> dict:
    """The run page's forms, with the one that was sent kept as typed."""
    seen = queries.fingerprint(run)
    forms = {
        "move_form": MoveForm(formdata=None),
        "swap_form": SwapForm(formdata=None),
        "publish_form": PublishForm(formdata=None),
        "discard_form": DiscardForm(formdata=None),
    }
    forms.update(bound or {})
    for form in forms.values():
        _set_choices(form, preview)
        form.seen.data = seen
    return forms


def _render(
    run: AllocationRun,
    bound: dict | None = None,
    status: int = 200,
    preview: queries.Preview | None = None,
):
    preview = preview or queries.preview(run)
    outcomes, differences = queries.comparison(run, preview.names)
    return (
        render_template(
            "allocation/show.html",
            run=run,
            department=run.department,
            preview=preview,
            outcomes=outcomes,
            differences=differences,
            rule_labels=list(queries.RULE_LABELS.values()),
            placed_count=sum(len(b.students) for b in preview.blocks),
            publish_refusals=queries.publish_refusals(run) if run.state == RunState.PREVIEW else [],
            publish_override=queries.publish_override(run)
            if run.state == RunState.PUBLISHED
            else None,
            **_forms(run, preview, bound),
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
    shown = queries.preview(run)
    _set_choices(form, shown)
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
    return _render(run, {"move_form": form}, 400, shown)


@bp.route("/allocation/runs/<int:run_id>/swap", methods=["POST"])
@login_required
def swap(run_id: int):
    run = _run(run_id, lock=True)
    form = SwapForm()
    shown = queries.preview(run)
    _set_choices(form, shown)
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
    return _render(run, {"swap_form": form}, 400, shown)


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
            flash(f"Run #{run.id} was set aside; it stays readable.", "info")
            return redirect(url_for("allocation.index", slug=run.department.slug))
    return _render(run, {"discard_form": form}, 400)
