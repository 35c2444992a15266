"""Small-group suppression: the one rule for every count of people shown by group.

A count from 1 to MINIMUM_GROUP - 1 is hidden, so that nobody can be picked out of a
small group. Hiding it alone is not enough where a total is shown beside the counts
(a row total, the size of the whole): the hidden count would be the total minus the
others. Wherever a line with a shown total has exactly one hidden count, the next
smallest non-zero count of that line is hidden too (complementary suppression), until
no line has a single hidden count.
"""

from __future__ import annotations

from collections.abc import Sequence

MINIMUM_GROUP = 5
SUPPRESSED = None  # what a hidden count becomes


def is_small(count: int, minimum: int = MINIMUM_GROUP) -> bool:
    """Whether count is too small to show (zero is shown: it identifies nobody)."""
    return 0 < count < minimum


def suppress_counts(
    counts: Sequence[int],
    *,
    total_shown: bool,
    minimum: int = MINIMUM_GROUP,
    people: Sequence[bool] | None = None,
) -> list[int | None]:
    """counts with the small ones (and, when their total is shown, a complement) as None.

    people says which counts are of people (all by default); a count of something else
    (empty seats) is never hidden for being small, but can be hidden as a complement.
    """
    mask = None if people is None else [people]
    return suppress_table([counts], row_totals=total_shown, minimum=minimum, people=mask)[0]


def suppress_table(
    table: Sequence[Sequence[int]],
    *,
    row_totals: bool,
    column_totals: bool = False,
    minimum: int = MINIMUM_GROUP,
    people: Sequence[Sequence[bool]] | None = None,
) -> list[list[int | None]]:
    """A table of counts with small cells hidden, plus complements in every line whose
    total is shown (rows when row_totals, columns when column_totals)."""
    values = [list(row) for row in table]
    hidden = [
        [is_small(v, minimum) and (people is None or people[r][c]) for c, v in enumerate(row)]
        for r, row in enumerate(values)
    ]
    lines: list[list[tuple[int, int]]] = []
    if row_totals:
        lines += [[(r, c) for c in range(len(row))] for r, row in enumerate(values)]
    if column_totals and values:
        width = max(len(row) for row in values)
        lines += [[(r, c) for r in range(len(values)) if c < len(values[r])] for c in range(width)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(hidden[r][c] for r, c in line) != 1:
                continue
            shown = [(values[r][c], i, (r, c)) for i, (r, c) in enumerate(line) if not hidden[r][c]]
            candidates = [entry for entry in shown if entry[0] > 0]
            if candidates:
                _value, _index, (r, c) = min(candidates)
                hidden[r][c] = True
                changed = True
    return [
        [SUPPRESSED if hidden[r][c] else v for c, v in enumerate(row)]
        for r, row in enumerate(values)
    ]
