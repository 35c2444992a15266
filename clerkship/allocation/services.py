"""Allocation runs: freeze the inputs, solve, compare, adjust by hand, publish as offers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Protocol

from flask import Flask, current_app
from sqlalchemy import select

from clerkship.accounts.models import User
from clerkship.allocation import instances, previews
from clerkship.allocation.engine import Block as EngineBlock
from clerkship.allocation.engine import Precedence as EnginePrecedence
from clerkship.allocation.engine import SeatType, solve
from clerkship.allocation.interchange import Instance, parse_instance, render_result
from clerkship.allocation.models import AllocationRun, Placement, RunPlacement, RunState
from clerkship.allocation.queries import publish_refusals
from clerkship.applications.models import Application, ApplicationState
from clerkship.applications.services import transition
from clerkship.audit.services import record_event
from clerkship.core.rules import RuleViolation
from clerkship.core.time import utcnow
from clerkship.cycles.models import Block, Cycle, Department
from clerkship.extensions import db

RULES = ("no_reserves", "reserved_first", "open_first")


def published_run(department: Department, cycle: Cycle) -> AllocationRun | None:
    """The department's published run of the cycle, if any."""
    return db.session.scalar(
        select(AllocationRun).where(
            AllocationRun.department_id == department.id,
            AllocationRun.cycle_id == cycle.id,
            AllocationRun.state == RunState.PUBLISHED,
        )
    )


def _solve_under(instance, rule: str, hard: bool) -> dict:
    """Solve an instance under one of the compared rules; the result in interchange form."""
    if rule == "no_reserves":
        blocks = tuple(EngineBlock(b.id, b.capacity, 0) for b in instance.blocks)
        precedence = EnginePrecedence.OPEN_FIRST
    else:
        blocks, precedence = instance.blocks, EnginePrecedence(rule)
    allocation = solve(blocks, instance.students, precedence=precedence, hard=hard)
    return render_result(allocation, precedence=precedence, hard=hard)


def compare_rules(
    inputs: dict, chosen: dict, hard: bool, *, instance: Instance | None = None
) -> dict:
    """Placed and pathway-placed counts under each rule, and whose placement differs from chosen."""
    instance = instance or parse_instance(inputs)
    pathway = {s.id for s in instance.students if s.uim}
    comparison = {}
    for rule in RULES:
        # The chosen result already is the solve under its own rule (the engine is deterministic).
        same = rule == chosen["precedence"] and chosen["reserves"] == ("hard" if hard else "soft")
        result = chosen if same else _solve_under(instance, rule, hard)
        placed = {s for s, b in result["assignment"].items() if b is not None}
        comparison[rule] = {
            "placed": len(placed),
            "pathway_placed": len(placed & pathway),
            "differs": sorted(
                s for s, b in result["assignment"].items() if chosen["assignment"][s] != b
            ),
            "assignment": result["assignment"],
        }
    return comparison


def start_run(
    department: Department,
    cycle: Cycle,
    *,
    scores: Mapping[int, Decimal],
    score_source: str,
    by: User,
) -> AllocationRun:
    """Freeze the department's inputs, solve under its published rule, keep the preview."""
    if published_run(department, cycle) is not None:
        raise RuleViolation(
            f"{department.name} already published its {cycle.name} allocation; freed seats now "
            "go to the waitlist."
        )
    inputs = instances.build_instance(department, cycle, scores)
    if not inputs["students"]:
        raise RuleViolation("No submitted application is waiting for a seat.")
    instance = instances.engine_instance(inputs)
    precedence = EnginePrecedence(department.precedence.value)
    allocation = solve(
        instance.blocks, instance.students, precedence=precedence, hard=department.hard_reserves
    )
    result = render_result(allocation, precedence=precedence, hard=department.hard_reserves)
    run = AllocationRun(
        department=department,
        cycle=cycle,
        precedence=department.precedence,
        hard_reserves=department.hard_reserves,
        score_source=score_source,
        inputs=inputs,
        result=result,
        comparison=compare_rules(inputs, result, department.hard_reserves, instance=instance),
        created_by=by,
    )
    db.session.add(run)
    db.session.flush()
    db.session.add_all(
        RunPlacement(
            run_id=run.id,
            application_id=instances.pk_of(student),
            block_id=instances.pk_of(block),
            seat_type=SeatType(result["seat"][student]),
        )
        for student, block in result["assignment"].items()
        if block is not None
    )
    db.session.flush()
    previews.store(run)
    record_event(
        "allocation.run",
        by=by,
        target=run,
        summary=f"{department.name} {cycle.name}: {len(inputs['students'])} students",
        precedence=department.precedence.value,
        hard=department.hard_reserves,
        score_source=score_source,
    )
    return run


def _require_preview(run: AllocationRun) -> None:
    if run.state != RunState.PREVIEW:
        raise RuleViolation(f"This run is {run.state.value}; only a preview can be changed.")


def _seat_for(
    run: AllocationRun, block: Block, application: Application, ignore: set[int]
) -> SeatType:
    """The seat a student would take in block now: open if any is free, else reserved/converted."""
    taken = [p for p in run.placements if p.block_id == block.id and p.application_id not in ignore]
    open_taken = sum(p.seat_type == SeatType.OPEN for p in taken)
    reserved_taken = len(taken) - open_taken
    if open_taken < block.capacity - block.reserved:
        return SeatType.OPEN
    if reserved_taken < block.reserved:
        return SeatType.RESERVED if _frozen_uim(run, application.id) else SeatType.CONVERTED
    raise RuleViolation(
        f"{block.label} is full ({block.capacity} seats). Swap two students instead.",
        field="block_id",
    )


def _frozen_uim(run: AllocationRun, application_id: int) -> bool:
    engine_id = instances.key(application_id)
    return any(s["id"] == engine_id and s["uim"] for s in run.inputs["students"])


def _in_run(run: AllocationRun, application_id: int) -> None:
    engine_id = instances.key(application_id)
    if not any(s["id"] == engine_id for s in run.inputs["students"]):
        raise RuleViolation("That student is not part of this run.", field="application_id")


def move_student(
    run: AllocationRun, application: Application, block: Block | None, *, by: User
) -> None:
    """Place a student in another block of the run (None: leave unplaced)."""
    _require_preview(run)
    _in_run(run, application.id)
    current = next((p for p in run.placements if p.application_id == application.id), None)
    if block is not None and block.rotation.department_id != run.department_id:
        raise RuleViolation("Choose a block of this department.", field="block_id")
    if current is not None and block is not None and current.block_id == block.id:
        return
    if block is None:
        if current is not None:
            run.placements.remove(current)
    else:
        seat = _seat_for(run, block, application, ignore={application.id})
        if current is None:
            run.placements.append(
                RunPlacement(
                    application_id=application.id, block_id=block.id, seat_type=seat, adjusted=True
                )
            )
        else:
            current.block_id, current.block, current.seat_type, current.adjusted = (
                block.id,
                block,
                seat,
                True,
            )
    record_event(
        "allocation.adjust",
        by=by,
        target=run,
        subject=application.student,
        summary=f"Moved application {application.id} to {block.label if block else 'unplaced'}",
    )
    db.session.flush()
    previews.store(run)
    db.session.flush()


def swap_students(run: AllocationRun, first: Application, second: Application, *, by: User) -> None:
    """Exchange the blocks of two placed students of the run."""
    _require_preview(run)
    a = next((p for p in run.placements if p.application_id == first.id), None)
    b = next((p for p in run.placements if p.application_id == second.id), None)
    if a is None or b is None:
        raise RuleViolation(
            "Both students must hold a placement to swap; move an unplaced one instead.",
            field="second_id" if a is not None else "first_id",
        )
    a_type, b_type = a.seat_type, b.seat_type
    a_block, b_block = a.block, b.block
    a.block, b.block = b_block, a_block
    # Each takes the other's seat; a reserved seat goes to a non-pathway student as converted.
    a.seat_type = _relabel(b_type, _frozen_uim(run, first.id))
    b.seat_type = _relabel(a_type, _frozen_uim(run, second.id))
    a.adjusted = b.adjusted = True
    record_event(
        "allocation.swap",
        by=by,
        target=run,
        summary=f"Swapped applications {first.id} and {second.id}",
    )
    db.session.flush()
    previews.store(run)
    db.session.flush()


def _relabel(seat: SeatType, uim: bool) -> SeatType:
    if seat == SeatType.OPEN:
        return SeatType.OPEN
    return SeatType.RESERVED if uim else SeatType.CONVERTED


def discard_run(run: AllocationRun, *, by: User) -> None:
    """Set a preview aside; it stays readable."""
    _require_preview(run)
    run.state = RunState.DISCARDED
    record_event("allocation.discard", by=by, target=run)


# Publishing turns each placement into an offer. Offers stand on allocation, so the offers
# feature hands its make_offer over when the app starts.
class OfferMaker(Protocol):
    def __call__(
        self, placements: list[Placement], *, expires_at: datetime, by: User | None
    ) -> object:
        """Give each placement its seat and offer it to its student."""


OFFER_MAKER_KEY = "clerkship.allocation.offer_maker"


def register_offer_maker(app: Flask, make_offer: OfferMaker) -> None:
    """Tell publication how to make the offers for its placements."""
    app.extensions[OFFER_MAKER_KEY] = make_offer


def _offer_maker() -> OfferMaker:
    make_offer = current_app.extensions.get(OFFER_MAKER_KEY)
    if make_offer is None:
        raise RuntimeError("No offer maker registered: the offers feature is not installed.")
    return make_offer


def publish_run(run: AllocationRun, *, by: User, override_reason: str = "") -> None:
    """Turn the run's placements into held seats and offers; everyone else is waitlisted.

    Publishing is refused before the offer release date, while applications are open, or
    while an applicant has no composite score, unless the director gives a reason, which
    the audit event keeps (and the run page shows).
    """
    _require_preview(run)
    if published_run(run.department, run.cycle) is not None:
        raise RuleViolation("This department already published an allocation for the cycle.")
    refusals = publish_refusals(run)
    override_reason = override_reason.strip()
    if refusals and not override_reason:
        raise RuleViolation(
            " ".join(refusals) + " To publish anyway, give your reason.", field="override_reason"
        )
    run.state = RunState.PUBLISHED
    run.published_by, run.published_at = by, utcnow()
    db.session.flush()  # the partial unique index refuses a second published run here
    placed = {p.application_id: p for p in run.placements}
    expires_at = utcnow() + timedelta(days=run.department.offer_days)
    blocks = {p.block_id for p in run.placements}
    # Lock the blocks in id order (the same order everywhere, so no deadlock).
    locked = {
        b.id: b
        for b in db.session.scalars(
            select(Block).where(Block.id.in_(blocks)).order_by(Block.id).with_for_update(of=Block)
        )
    }
    # One query for every application (kept referenced: the session's identity map is weak).
    applications = {
        a.id: a
        for a in db.session.scalars(
            select(Application).where(
                Application.id.in_([instances.pk_of(s["id"]) for s in run.inputs["students"]])
            )
        ).unique()
    }
    placements = []
    with db.session.no_autoflush:  # the offer maker writes everything in one flush
        for student in run.inputs["students"]:
            application = applications.get(instances.pk_of(student["id"]))
            if application is None or application.state not in instances.ALLOCATABLE:
                continue  # withdrawn since the run started
            preview = placed.get(application.id)
            if preview is None:
                if application.state != ApplicationState.WAITLISTED:
                    transition(application, ApplicationState.WAITLISTED, by=by)
                continue
            # A flag withdrawn since the run started: the reserved seat is converted.
            seat_type = preview.seat_type
            if seat_type == SeatType.RESERVED and not application.in_pathway:
                seat_type = SeatType.CONVERTED
            placements.append(
                Placement(
                    application=application,
                    block=locked[preview.block_id],
                    seat_type=seat_type,
                    in_pathway=student["uim"],
                    run_id=run.id,
                )
            )
    _offer_maker()(placements, expires_at=expires_at, by=by)
    overridden = {"override_reason": override_reason, "refusals": refusals} if refusals else {}
    record_event("allocation.publish", by=by, target=run, placed=len(placed), **overridden)
