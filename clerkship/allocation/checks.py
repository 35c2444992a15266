"""Checking an allocation against the rule (docs/allocation.md §4).

Directors adjust placements by hand; check_allocation tells them what the change
breaks: over capacity, an unranked placement, a reserved seat outside the pathway,
and every blocking pair. It works on any assignment, stable or not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from clerkship.allocation.engine import Block, Precedence, SeatType, Student, choose


class ViolationKind(StrEnum):
    """What `check_allocation` can find wrong with an assignment."""

    UNKNOWN_STUDENT = "unknown_student"
    UNKNOWN_BLOCK = "unknown_block"
    OVER_CAPACITY = "over_capacity"
    TOO_MANY_RESERVED = "too_many_reserved"
    NOT_RANKED = "not_ranked"
    RESERVED_NOT_UIM = "reserved_not_uim"
    BLOCKING_PAIR = "blocking_pair"


@dataclass(frozen=True)
class Violation:
    """One problem with an assignment, with a message naming the records involved."""

    kind: ViolationKind
    message: str
    student_id: str | None = None
    block_id: str | None = None


def check_allocation(
    blocks: Iterable[Block],
    students: Iterable[Student],
    assignment: Mapping[str, str | None],
    seat: Mapping[str, SeatType | str | None],
    *,
    precedence: Precedence,
    hard: bool,
) -> list[Violation]:
    """Everything that makes an assignment infeasible or unstable (spec §4).

    Works on any assignment, stable or not; a student missing from ``assignment`` is
    unplaced. Checks blocks in their order, then students in theirs.
    """
    blocks = {block.id: block for block in blocks}
    students = list(students)
    by_id = {student.id: student for student in students}
    violations = [
        Violation(ViolationKind.UNKNOWN_STUDENT, f'unknown student "{sid}" is placed', sid)
        for sid in assignment
        if sid not in by_id and assignment[sid] is not None
    ]
    members: dict[str, list[Student]] = {block_id: [] for block_id in blocks}
    for student in students:
        block_id = assignment.get(student.id)
        if block_id is None:
            continue
        if block_id not in blocks:
            violations.append(
                Violation(
                    ViolationKind.UNKNOWN_BLOCK,
                    f'student "{student.id}" is placed at unknown block "{block_id}"',
                    student.id,
                    block_id,
                )
            )
            continue
        members[block_id].append(student)

    for block in blocks.values():
        held = members[block.id]
        if len(held) > block.capacity:
            violations.append(
                Violation(
                    ViolationKind.OVER_CAPACITY,
                    f'block "{block.id}" holds {len(held)} students but has capacity '
                    f"{block.capacity}",
                    block_id=block.id,
                )
            )
        labelled = sum(seat.get(s.id) in (SeatType.RESERVED, SeatType.CONVERTED) for s in held)
        if labelled > block.reserved:
            violations.append(
                Violation(
                    ViolationKind.TOO_MANY_RESERVED,
                    f'block "{block.id}" has {labelled} seats labelled reserved or converted '
                    f"but reserves {block.reserved}",
                    block_id=block.id,
                )
            )

    for student in students:
        placed = assignment.get(student.id)
        if placed in blocks and placed not in student.ranking:
            violations.append(
                Violation(
                    ViolationKind.NOT_RANKED,
                    f'student "{student.id}" is placed at block "{placed}", '
                    "which is not on their ranking",
                    student.id,
                    placed,
                )
            )
        if placed in blocks and seat.get(student.id) == SeatType.RESERVED and not student.uim:
            violations.append(
                Violation(
                    ViolationKind.RESERVED_NOT_UIM,
                    f'student "{student.id}" holds a reserved seat at block "{placed}" '
                    "but is not in the UIM pathway",
                    student.id,
                    placed,
                )
            )
        violations.extend(_blocking_pairs(student, placed, blocks, members, precedence, hard))
    return violations


def _blocking_pairs(
    student: Student,
    placed: str | None,
    blocks: Mapping[str, Block],
    members: Mapping[str, list[Student]],
    precedence: Precedence,
    hard: bool,
) -> list[Violation]:
    """Blocks b the student ranks above her placement and whose Ch_b(μ(b) + s) has s."""
    if placed in student.ranking:
        better = student.ranking[: student.ranking.index(placed)]
        current = f'block "{placed}"'
    else:  # unplaced, or placed where she did not rank: every ranked block is better
        better = student.ranking
        current = "no placement" if placed is None else f'block "{placed}" (not ranked)'
    violations = []
    for block_id in better:
        block = blocks.get(block_id)
        if block is None:
            continue
        chosen = choose(block, [*members[block_id], student], precedence=precedence, hard=hard)
        if student.id in chosen:
            violations.append(
                Violation(
                    ViolationKind.BLOCKING_PAIR,
                    f'blocking pair: student "{student.id}" prefers block "{block_id}" to '
                    f'{current}, and block "{block_id}" would take them',
                    student.id,
                    block_id,
                )
            )
    return violations
