"""What a director sees of a run: seats by type, cutoffs, who is unplaced and why, warnings."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, lazyload

from clerkship.accounts.models import User
from clerkship.allocation import instances
from clerkship.allocation.checks import ViolationKind, check_allocation
from clerkship.allocation.engine import Precedence as EnginePrecedence
from clerkship.allocation.engine import SeatType
from clerkship.allocation.models import AllocationRun, Placement, PlacementState, RunState
from clerkship.applications.models import Application
from clerkship.cycles.models import Block, Cycle, Department, Rotation
from clerkship.extensions import db


@dataclass
class BlockSeats:
    """One block of a run: who holds its seats, by type, and the lowest score per type."""

    block: Block
    students: list[tuple[Application, SeatType, Decimal]] = field(default_factory=list)

    def count(self, seat: SeatType) -> int:
        return sum(1 for _a, s, _score in self.students if s == seat)

    @property
    def empty(self) -> int:
        return self.block.capacity - len(self.students)

    def cutoff(self, seat: SeatType) -> Decimal | None:
        scores = [score for _a, s, score in self.students if s == seat]
        return min(scores) if scores else None


@dataclass(frozen=True)
class Unplaced:
    """A student the run left without a seat, and why."""

    application: Application
    score: Decimal
    in_pathway: bool
    reason: str


@dataclass
class Preview:
    """Everything the run page shows."""

    blocks: list[BlockSeats]
    unplaced: list[Unplaced]
    warnings: list[str]
    names: dict[str, str]  # engine id -> student name, for the comparison


def runs(department: Department, cycle: Cycle) -> list[AllocationRun]:
    """The department's runs in cycle, newest first."""
    return list(
        db.session.scalars(
            select(AllocationRun)
            .where(AllocationRun.department_id == department.id, AllocationRun.cycle_id == cycle.id)
            .order_by(AllocationRun.id.desc())
        )
    )


def preview(run: AllocationRun) -> Preview:
    """The run's placements (as adjusted) with their explanation; a fixed number of queries."""
    frozen = {s["id"]: s for s in run.inputs["students"]}
    ids = [instances.pk_of(k) for k in frozen]
    # The applications with their students in one query (not the students' memberships).
    applications = {
        a.id: a
        for a in db.session.scalars(
            select(Application)
            .where(Application.id.in_(ids))
            .options(joinedload(Application.student).options(lazyload(User.memberships)))
        )
    }
    blocks = {
        b.id: b
        for b in db.session.scalars(
            select(Block)
            .where(Block.id.in_([instances.pk_of(b["id"]) for b in run.inputs["blocks"]]))
            .order_by(Block.starts_on, Block.id)
        )
    }
    seats = {block_id: BlockSeats(block) for block_id, block in blocks.items()}
    placed = {}
    for p in run.placements:
        score = Decimal(str(frozen[instances.key(p.application_id)]["score"])).quantize(
            Decimal("0.01")
        )
        seats[p.block_id].students.append((applications[p.application_id], p.seat_type, score))
        placed[instances.key(p.application_id)] = (instances.key(p.block_id), p.seat_type)
    for summary in seats.values():
        summary.students.sort(key=lambda row: (-row[2], row[0].id))
    reasons: dict[tuple[str, bool], str] = {}  # one explanation per block and pathway flag
    unplaced = [
        Unplaced(
            applications[instances.pk_of(sid)],
            Decimal(str(record["score"])).quantize(Decimal("0.01")),
            record["uim"],
            _why_unplaced(record, seats, run, reasons),
        )
        for sid, record in frozen.items()
        if sid not in placed and instances.pk_of(sid) in applications
    ]
    unplaced.sort(key=lambda u: (-u.score, u.application.id))
    names = {instances.key(a.id): a.student.full_name for a in applications.values()}
    return Preview(
        blocks=list(seats.values()),
        unplaced=unplaced,
        warnings=_warnings(run, placed, names, blocks),
        names=names,
    )


def _why_unplaced(
    record: dict,
    seats: dict[int, BlockSeats],
    run: AllocationRun,
    reasons: dict[tuple[str, bool], str],
) -> str:
    if not record["ranking"]:
        return "Ranked no block of this department."
    parts = []
    for block_key in record["ranking"]:
        if (block_key, record["uim"]) not in reasons:
            reasons[(block_key, record["uim"])] = _block_reason(
                seats.get(instances.pk_of(block_key)), record["uim"], run
            )
        part = reasons[(block_key, record["uim"])]
        if part:
            parts.append(part)
    return "No block they ranked had room for them at their priority. " + "; ".join(parts) + "."


def _block_reason(summary: BlockSeats | None, uim: bool, run: AllocationRun) -> str:
    """Why a block of the ranking did not take a student (with or without the pathway flag)."""
    if summary is None:
        return ""
    takeable = [SeatType.OPEN] + ([SeatType.RESERVED] if uim else [SeatType.CONVERTED])
    cutoffs = [c for c in (summary.cutoff(t) for t in takeable) if c is not None]
    if run.hard_reserves and not uim and summary.count(SeatType.RESERVED) < summary.block.reserved:
        return f"{summary.block.label}: open seats filled (lowest {min(cutoffs) if cutoffs else '–'}); its empty reserved seats are for the pathway (hard reserves)"
    return f"{summary.block.label}: lowest admitted {min(cutoffs) if cutoffs else '–'}"


def _violations(run: AllocationRun, placed: dict):
    """The rule's checks (spec §4) on placements given as {student: (block, seat type)}."""
    instance = instances.engine_instance(run.inputs)
    return check_allocation(
        instance.blocks,
        instance.students,
        {sid: b for sid, (b, _s) in placed.items()},
        {sid: s for sid, (_b, s) in placed.items()},
        precedence=EnginePrecedence(run.precedence.value),
        hard=run.hard_reserves,
    )


def breaks_rule(run: AllocationRun) -> bool:
    """Whether the run's placements draw a warning, without building the whole preview."""
    placed = {
        instances.key(p.application_id): (instances.key(p.block_id), p.seat_type)
        for p in run.placements
    }
    converted = run.hard_reserves and any(s == SeatType.CONVERTED for _b, s in placed.values())
    return converted or bool(_violations(run, placed))


def _warnings(
    run: AllocationRun, placed: dict, names: dict[str, str], blocks: dict[int, Block]
) -> list[str]:
    """What the (possibly adjusted) placements break in the published rule, in words."""
    violations = _violations(run, placed)
    label = {instances.key(b.id): b.label for b in blocks.values()}
    messages = []
    for v in violations:
        who = names.get(v.student_id or "", v.student_id)
        where = label.get(v.block_id or "", v.block_id)
        messages.append(
            {
                ViolationKind.BLOCKING_PAIR: f"Blocking pair: {who} ranked {where} above their placement and would be chosen by it under the rule.",
                ViolationKind.RESERVED_NOT_UIM: f"A reserved seat in {where} is held by {who}, who is not in the pathway.",
                ViolationKind.OVER_CAPACITY: f"{where} holds more students than its seats.",
                ViolationKind.TOO_MANY_RESERVED: f"{where} has more reserved or converted seats than it reserves.",
                ViolationKind.NOT_RANKED: f"{who} is placed in {where}, which they did not rank.",
            }.get(v.kind, v.message)
        )
    if run.hard_reserves:
        for sid, (block_key, seat_type) in placed.items():
            if seat_type == SeatType.CONVERTED:
                messages.append(
                    f"A reserved seat in {label[block_key]} went to {names[sid]}, outside the pathway, although reserves are hard."
                )
    return messages


RULE_LABELS = {
    "no_reserves": "No reserves",
    "reserved_first": "Reserved seats first",
    "open_first": "Open seats first",
}


@dataclass(frozen=True)
class RuleOutcome:
    """The same frozen inputs solved under one rule."""

    rule: str
    label: str
    placed: int
    pathway_placed: int
    differs: int
    is_run_rule: bool


@dataclass(frozen=True)
class Difference:
    """A student whose block depends on the rule: (rule label, block label or None) pairs."""

    name: str
    in_pathway: bool
    this_run: str | None
    by_rule: list[str | None]


def comparison(
    run: AllocationRun, names: dict[str, str]
) -> tuple[list[RuleOutcome], list[Difference]]:
    """The three-way comparison of the run as solved (before any hand adjustment)."""
    labels = run.inputs.get("labels", {})
    uim = {s["id"]: s["uim"] for s in run.inputs["students"]}
    outcomes = [
        RuleOutcome(
            rule=rule,
            label=RULE_LABELS[rule],
            placed=data["placed"],
            pathway_placed=data["pathway_placed"],
            differs=len(data["differs"]),
            is_run_rule=rule == run.precedence.value,
        )
        for rule, data in ((r, run.comparison[r]) for r in RULE_LABELS if r in run.comparison)
    ]
    differing = sorted(
        {sid for data in run.comparison.values() for sid in data["differs"]},
        key=lambda sid: (names.get(sid, sid), sid),
    )
    differences = [
        Difference(
            name=names.get(sid, sid),
            in_pathway=uim.get(sid, False),
            this_run=labels.get(run.result["assignment"][sid]),
            by_rule=[
                labels.get(run.comparison[r]["assignment"][sid])
                for r in RULE_LABELS
                if r in run.comparison
            ],
        )
        for sid in differing
    ]
    return outcomes, differences


def placements_digest(run: AllocationRun) -> str:
    """A digest of the run's placements (kept with the stored preview)."""
    items = sorted((p.application_id, p.block_id, p.seat_type.value) for p in run.placements)
    return hashlib.sha256(repr(items).encode()).hexdigest()[:20]


def fingerprint(run: AllocationRun, digest: str | None = None) -> str:
    """A digest of the run's state and placements. A page carries the one it showed, so a
    change sent from a page older than someone else's adjustment is refused. digest: the
    placements' digest when already known (the stored preview's)."""
    digest = digest or placements_digest(run)
    return hashlib.sha256(repr((run.state.value, digest)).encode()).hexdigest()[:20]


def waiting_count(department: Department, cycle: Cycle) -> int:
    """Applications of the department still waiting for a seat (on the waitlist or not run)."""
    return db.session.scalar(
        select(func.count(Application.id)).where(
            Application.department_id == department.id,
            Application.cycle_id == cycle.id,
            Application.state.in_(instances.ALLOCATABLE),
        )
    )


def publish_refusals(run: AllocationRun, unscored: int | None = None) -> list[str]:
    """Why publishing the run now would be premature; a director may override with a reason.

    unscored: how many took part without a score, when known (the stored preview's count)."""
    from clerkship.core.time import local_today

    cycle, today = run.cycle, local_today()
    refusals = []
    if today < cycle.offers_released_on:
        refusals.append(
            f"The cycle's offers are released on {cycle.offers_released_on:%B %-d, %Y}; "
            "publishing now sends them early."
        )
    if today <= cycle.application_deadline:
        refusals.append(
            f"Applications are open until {cycle.application_deadline:%B %-d, %Y}; students "
            "who apply later are not in this run."
        )
    if unscored is None:
        unscored = len(run.inputs.get("unscored") or [])
    if unscored:
        refusals.append(
            f"{unscored} applicant{'' if unscored == 1 else 's'} in this run "
            f"{'has' if unscored == 1 else 'have'} no composite score and took part with 0."
        )
    return refusals


def publish_override(run: AllocationRun) -> str | None:
    """The reason a director gave to publish the run despite its refusals, if any."""
    from clerkship.audit.models import AuditEvent

    detail = db.session.scalar(
        select(AuditEvent.detail)
        .where(
            AuditEvent.action == "allocation.publish",
            AuditEvent.target_type == "AllocationRun",
            AuditEvent.target_id == run.id,
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    return (detail or {}).get("override_reason") or None


@dataclass(frozen=True)
class AllocationState:
    """Where a department's allocation stands in a cycle: its published run, else its newest preview."""

    run_id: int | None = None
    published_at: datetime | None = None
    previews: int = 0

    @property
    def published(self) -> bool:
        return self.published_at is not None


def allocation_states(department_ids: Collection[int], cycle: Cycle) -> dict[int, AllocationState]:
    """department id -> the state of its allocation in cycle (one query; runs are few)."""
    found = {d: AllocationState() for d in department_ids}
    if not department_ids:
        return found
    rows = db.session.execute(
        select(
            AllocationRun.department_id,
            AllocationRun.id,
            AllocationRun.state,
            AllocationRun.published_at,
        )
        .where(
            AllocationRun.department_id.in_(sorted(department_ids)),
            AllocationRun.cycle_id == cycle.id,
            AllocationRun.state != RunState.DISCARDED,
        )
        .order_by(AllocationRun.department_id, AllocationRun.created_at, AllocationRun.id)
    )
    for department_id, run_id, state, published_at in rows:
        before = found[department_id]
        if before.published:
            continue
        if state is RunState.PUBLISHED:
            found[department_id] = AllocationState(run_id, published_at, before.previews)
        else:
            found[department_id] = AllocationState(run_id, None, before.previews + 1)
    return found


@dataclass(frozen=True)
class BlockFill:
    """One block's seats: how many it has and how many are held (offered or accepted)."""

    block_id: int
    department_id: int
    rotation: str
    starts_on: date
    ends_on: date
    capacity: int
    held: int

    @property
    def unfilled(self) -> int:
        return max(0, self.capacity - self.held)

    @property
    def label(self) -> str:
        return f"{self.rotation}, {self.starts_on:%b %-d}–{self.ends_on:%b %-d, %Y}"


def block_fill(department_ids: Collection[int], cycle: Cycle) -> list[BlockFill]:
    """Every block of the departments in cycle with its seats held, by start date (one query)."""
    if not department_ids:
        return []
    rows = db.session.execute(
        select(
            Block.id,
            Rotation.department_id,
            Rotation.title,
            Block.starts_on,
            Block.ends_on,
            Block.capacity,
            Block.open_taken + Block.reserved_taken,
        )
        .join(Rotation, Rotation.id == Block.rotation_id)
        .where(Rotation.department_id.in_(sorted(department_ids)), Block.cycle_id == cycle.id)
        .order_by(Block.starts_on, Rotation.title, Block.id)
    )
    return [BlockFill(*row) for row in rows]


def held_placements_of(student: User, cycle: Cycle) -> list[Placement]:
    """The seats the student holds in cycle (offered or accepted), with block and department."""
    return list(
        db.session.scalars(
            select(Placement)
            .join(Application, Application.id == Placement.application_id)
            .join(Block, Block.id == Placement.block_id)
            .where(
                Application.student_id == student.id,
                Application.cycle_id == cycle.id,
                Placement.state == PlacementState.HELD,
            )
            .options(joinedload(Placement.application), joinedload(Placement.block))
            .order_by(Block.starts_on, Placement.id)
        ).unique()
    )
