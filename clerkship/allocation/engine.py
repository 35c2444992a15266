"""The seat-allocation engine: plain data in, plain data out (docs/allocation.md).

How the allocation works
------------------------
- Priority (spec §1). At block b, student s is ahead of t when
  ``(-score_b(s), id(s)) < (-score_b(t), id(t))``: the higher score at that block
  (``block_scores`` replaces ``score`` there) first, equal scores to the smaller id in
  plain string order. Scores are Decimals held at hundredths (`hundredths`), so ties
  are exact and the same on every run. See `priority_key`.
- How a block chooses (spec §2). A block with capacity C and R reserved seats fills
  its seats one at a time: the C - R open seats then the R reserved seats
  (``open_first``, the default), or the other way round (``reserved_first``). An
  open seat takes the best remaining applicant; a reserved seat takes the best
  remaining UIM-pathway applicant, and if none remains a *soft* reserve takes the
  best remaining applicant (labelled ``converted``) while a *hard* reserve stays
  empty. That is Ch_b, exposed as `choose`.
- Mechanism (spec §3). Student-proposing deferred acceptance: an unplaced student
  proposes to her best block not yet tried; the block keeps Ch_b of what it held
  plus her, and releases the others. When nobody can propose, each student gets
  the block that holds her, with the label Ch_b gives her in its final set. See
  `solve`.
- Guarantees (spec §4): the result is feasible, stable, student-optimal among stable
  matchings and strategy-proof; with R = 0 it is the classic student-optimal
  hospital/residents matching. `check_allocation` reports what breaks feasibility or
  stability in any assignment, e.g. one a director has adjusted by hand.
- Why ``open_first`` is the default (spec §5): under ``reserved_first`` a reserved seat
  is spent on a pathway student who would have won an open seat on score anyway, so
  the reserve does nothing where R pathway students win on score (the failure that
  ended Boston's walk-zone reserve). Under ``open_first`` such a student takes an open
  seat, so every ``reserved`` label marks a real reserve placement. Both precedences
  have the same guarantees.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

HUNDREDTH = Decimal("0.01")


class Precedence(StrEnum):
    """Order in which a block fills its open and reserved seats (spec §2)."""

    OPEN_FIRST = "open_first"
    RESERVED_FIRST = "reserved_first"


class SeatType(StrEnum):
    """Label of a filled seat: ``converted`` is a soft reserved seat taken by anyone."""

    OPEN = "open"
    RESERVED = "reserved"
    CONVERTED = "converted"


def hundredths(value: Decimal | int) -> Decimal:
    """Return a score as a Decimal at hundredths, rounding halves away from zero.

    Half away from zero (``ROUND_HALF_UP`` in `decimal`) is what PostgreSQL does when it
    stores a ``numeric(_, 2)``, so a score reads back from the database unchanged.
    """
    if type(value) is not Decimal:
        if isinstance(value, bool) or not isinstance(value, Decimal | int):
            raise TypeError(f"a score must be a Decimal or an int, not {type(value).__name__}")
        value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"a score must be finite, not {value}")
    try:
        return value.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueError(f"a score must be below 10^25 in magnitude, not {value}") from None


@dataclass(frozen=True)
class Block:
    """A rotation block: ``capacity`` seats, of which ``reserved`` are for the pathway."""

    id: str
    capacity: int
    reserved: int

    def __post_init__(self) -> None:
        if not 0 <= self.reserved <= self.capacity:
            raise ValueError(
                f'block "{self.id}": need 0 <= reserved <= capacity, '
                f"got reserved {self.reserved} and capacity {self.capacity}"
            )


@dataclass(frozen=True)
class Student:
    """An applicant: pathway flag, ranking of blocks (best first) and scores."""

    id: str
    uim: bool
    ranking: tuple[str, ...]
    score: Decimal
    # Excluded from the hash so a Student stays hashable; the dict is a private copy.
    block_scores: Mapping[str, Decimal] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if type(self.ranking) is not tuple:
            object.__setattr__(self, "ranking", tuple(self.ranking))
        object.__setattr__(self, "score", hundredths(self.score))
        scores = self.block_scores
        held = {b: hundredths(v) for b, v in scores.items()} if scores else {}
        object.__setattr__(self, "block_scores", held)
        if len(set(self.ranking)) != len(self.ranking):
            raise ValueError(f'student "{self.id}": a block appears twice in the ranking')

    def score_at(self, block_id: str) -> Decimal:
        """The score that sets this student's priority at a block."""
        return self.block_scores.get(block_id, self.score)


@dataclass(frozen=True)
class Allocation:
    """Result of `solve`: block and seat label per student id, None when unplaced."""

    assignment: dict[str, str | None]
    seat: dict[str, SeatType | None]


def priority_key(student: Student, block_id: str) -> tuple[Decimal, str]:
    """Sort key of a student's priority at a block: smaller is better (spec §1)."""
    return (-student.score_at(block_id), student.id)


def choose(
    block: Block, applicants: Iterable[Student], *, precedence: Precedence, hard: bool
) -> dict[str, SeatType]:
    """Ch_b (spec §2): the applicants the block takes, best first, with their seat labels.

    ``precedence`` and ``hard`` have no defaults on purpose: a caller re-filling a seat
    must use the settings of the run that made the placements.
    """
    unique = {student.id: student for student in applicants}
    ordered = sorted(unique.values(), key=lambda student: priority_key(student, block.id))
    picked = _fill_seats(
        [student.uim for student in ordered],
        block.capacity,
        block.reserved,
        Precedence(precedence),
        hard,
    )
    return {ordered[i].id: picked[i] for i in sorted(picked)}


def _fill_seats(
    uim: Sequence[bool], capacity: int, reserved: int, precedence: Precedence, hard: bool
) -> dict[int, SeatType]:
    """Ch_b on applicants already in priority order: position -> seat label.

    The closed form of spec §2: for ``open_first`` O = top C-R, then U and K from the
    rest; for ``reserved_first`` U and K first, then O = top C-R of what is left.
    """
    picked: dict[int, SeatType] = {}
    if precedence is Precedence.OPEN_FIRST:
        for i in range(min(capacity - reserved, len(uim))):
            picked[i] = SeatType.OPEN
        _fill_reserved(range(capacity - reserved, len(uim)), uim, reserved, hard, picked)
    else:
        _fill_reserved(range(len(uim)), uim, reserved, hard, picked)
        left = capacity - reserved
        for i in range(len(uim)):
            if left == 0:
                break
            if i not in picked:
                picked[i] = SeatType.OPEN
                left -= 1
    return picked


def _fill_reserved(
    positions: range, uim: Sequence[bool], reserved: int, hard: bool, picked: dict
) -> None:
    """U = top R UIM of ``positions``; soft reserves add K = top R-|U| of the others."""
    short = reserved
    for i in positions:
        if short == 0:
            return
        if uim[i]:
            picked[i] = SeatType.RESERVED
            short -= 1
    if hard:
        return
    # Every UIM applicant in ``positions`` is now picked: the rest are all non-UIM.
    for i in positions:
        if short == 0:
            return
        if i not in picked:
            picked[i] = SeatType.CONVERTED
            short -= 1


def solve(
    blocks: Iterable[Block],
    students: Iterable[Student],
    *,
    precedence: Precedence = Precedence.OPEN_FIRST,
    hard: bool = False,
) -> Allocation:
    """Student-proposing deferred acceptance with reserves (spec §3).

    Raises ValueError on duplicate ids or a ranking that names an unknown block.
    """
    precedence = Precedence(precedence)
    blocks = list(blocks)
    students = list(students)
    choices, keys, block_keys = _preferences(students, _index_blocks(blocks))
    uim = [student.uim for student in students]
    capacity = [block.capacity for block in blocks]
    reserved = [block.reserved for block in blocks]

    # held[b]: (priority key, student index) of the students block b holds, best first.
    held: list[list[tuple[int, int]]] = [[] for _ in blocks]
    # converted[b]: whether full block b has a converted seat; None once held[b] changes.
    converted: list[bool | None] = [None] * len(blocks)
    next_choice = [0] * len(students)
    free = list(range(len(students) - 1, -1, -1))
    while free:
        s = free.pop()
        options = choices[s]
        k = next_choice[s]
        while k < len(options):
            b = options[k]
            k += 1
            key = keys[s] if block_keys[s] is None else block_keys[s].get(b, keys[s])
            holding = held[b]
            c = capacity[b]
            # Most proposals reach a full block whose set she is behind entirely: then
            # only a pathway student taking back a converted seat gets in (spec §2).
            if len(holding) >= c and (c == 0 or key > holding[-1][0]):
                if not uim[s]:
                    continue
                if converted[b] is None:
                    converted[b] = _has_converted_seat(
                        holding, uim, c, reserved[b], precedence, hard
                    )
                if not converted[b]:
                    continue
            insort(holding, (key, s))
            converted[b] = None
            if len(holding) > c or hard:  # soft reserves take everyone while seats are left
                picked = _fill_seats([uim[t] for _, t in holding], c, reserved[b], precedence, hard)
                if len(picked) < len(holding):
                    held[b] = [entry for i, entry in enumerate(holding) if i in picked]
                    # Those turned away (perhaps s herself) propose again from the stack.
                    free.extend(entry[1] for i, entry in enumerate(holding) if i not in picked)
            break
        next_choice[s] = k

    assignment: dict[str, str | None] = dict.fromkeys(student.id for student in students)
    seat: dict[str, SeatType | None] = dict.fromkeys(student.id for student in students)
    for b, holding in enumerate(held):
        picked = _fill_seats(
            [uim[t] for _, t in holding], capacity[b], reserved[b], precedence, hard
        )
        for i, (_, t) in enumerate(holding):
            assignment[students[t].id] = blocks[b].id
            seat[students[t].id] = picked[i]
    return Allocation(assignment=assignment, seat=seat)


def _has_converted_seat(
    holding: list[tuple[int, int]],
    uim: Sequence[bool],
    capacity: int,
    reserved: int,
    precedence: Precedence,
    hard: bool,
) -> bool:
    """Whether a full block's held set (best first, Ch_b of itself) has a converted seat."""
    if hard:
        return False
    if precedence is Precedence.OPEN_FIRST:
        # The last R seats filled are the reserved ones: open seats went to the top C-R.
        return not all(uim[t] for _, t in holding[capacity - reserved :])
    return sum(uim[t] for _, t in holding) < reserved


def _index_blocks(blocks: Sequence[Block]) -> dict[str, int]:
    """Block id -> position, refusing duplicate ids."""
    index: dict[str, int] = {}
    for i, block in enumerate(blocks):
        if block.id in index:
            raise ValueError(f'block "{block.id}": duplicate block id')
        index[block.id] = i
    return index


def _preferences(
    students: Sequence[Student], block_index: Mapping[str, int]
) -> tuple[list[list[int]], list[int], list[dict[int, int] | None]]:
    """Rankings as block positions, and integer priority keys (spec §1).

    A key encodes ``(-score_b, id)`` as one integer, ``-cents * n + rank of id``, so
    comparing keys compares priorities without building tuples. Per student: her
    choices, her key, and her keys at the blocks where ``block_scores`` apply, if any.
    """
    n = len(students)
    ids = [student.id for student in students]
    id_rank = [0] * n
    previous = None
    for rank, i in enumerate(sorted(range(n), key=ids.__getitem__)):
        if ids[i] == previous:
            raise ValueError(f'student "{ids[i]}": duplicate student id')
        previous = ids[i]
        id_rank[i] = rank

    choices, keys, block_keys = [], [], []
    for i, student in enumerate(students):
        try:
            choices.append([block_index[block_id] for block_id in student.ranking])
        except KeyError as error:
            raise ValueError(
                f'student "{ids[i]}": ranking names unknown block "{error.args[0]}"'
            ) from None
        keys.append(-int(student.score.scaleb(2)) * n + id_rank[i])
        block_keys.append(
            {
                block_index[block_id]: -int(score.scaleb(2)) * n + id_rank[i]
                for block_id, score in student.block_scores.items()
                if block_id in block_index
            }
            if student.block_scores
            else None
        )
    return choices, keys, block_keys
