"""The run page's preview, computed once and kept with the run (its inputs are frozen).

`summarize` turns `queries.preview` and `queries.comparison` into plain JSON: a summary
whose size does not grow with the season (counts, seats and cutoffs per block, the
comparison, the first page of each long list) and the long lists whole. The run keeps
both (`AllocationRun.preview`, `AllocationRun.preview_lists`); services refresh them after
every hand adjustment, so the page reads one small column instead of every application.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from clerkship.allocation import queries
from clerkship.allocation.engine import SeatType
from clerkship.allocation.models import AllocationRun

PAGE = 50  # rows of a long list shown at once
SEATS = (SeatType.OPEN, SeatType.RESERVED, SeatType.CONVERTED)
LISTS = ("unplaced", "differences", "warnings")


def _text(value) -> str | None:
    return None if value is None else str(value)


def summarize(run: AllocationRun) -> tuple[dict[str, Any], dict[str, Any]]:
    """(summary, lists) of the run's placements as they stand now."""
    shown = queries.preview(run)
    outcomes, differences = queries.comparison(run, shown.names)
    blocks, placed_lists = [], {}
    for seats in shown.blocks:
        block = seats.block
        blocks.append(
            {
                "id": block.id,
                "label": block.label,
                "capacity": block.capacity,
                "reserved": block.reserved,
                "taken": [seats.count(seat) for seat in SEATS],
                "empty": seats.empty,
                "cutoffs": [_text(seats.cutoff(seat)) for seat in SEATS],
                "placed": len(seats.students),
            }
        )
        placed_lists[str(block.id)] = [
            [a.id, a.student.full_name, str(score), seat.value, a.in_pathway]
            for a, seat, score in seats.students
        ]
        # A block holds at most its seats, whatever the season's size: its first page is kept.
        blocks[-1]["students"] = placed_lists[str(block.id)][:PAGE]
    lists = {
        "blocks": placed_lists,
        "unplaced": [
            [
                u.application.id,
                u.application.student.full_name,
                str(u.score),
                u.in_pathway,
                u.reason,
            ]
            for u in shown.unplaced
        ],
        "differences": [[d.name, d.in_pathway, d.this_run, d.by_rule] for d in differences],
        "warnings": list(shown.warnings),
    }
    summary = {
        "students": len(run.inputs["students"]),
        "unscored": len(run.inputs.get("unscored") or []),
        "placed": sum(b["placed"] for b in blocks),
        "digest": queries.placements_digest(run),
        "blocks": blocks,
        "outcomes": [asdict(o) for o in outcomes],
        # The first page of each long list, and its length.
        **{name: lists[name][:PAGE] for name in LISTS},
        **{f"{name}_count": len(lists[name]) for name in LISTS},
    }
    return summary, lists


def store(run: AllocationRun) -> None:
    """Compute the run's preview and keep it with the run (after a start or an adjustment)."""
    run.preview, run.preview_lists = summarize(run)


def summary(run: AllocationRun) -> dict[str, Any]:
    """The stored summary; computed (not stored) for a run kept from before previews were."""
    return run.preview if run.preview is not None else summarize(run)[0]


@dataclass(frozen=True)
class ListPage:
    """One page of a long list of the preview."""

    items: list
    page: int
    pages: int
    total: int


def list_page(run: AllocationRun, name: str, page: int, block_id: int | None = None) -> ListPage:
    """Page `page` of the list `name` (unplaced, differences, warnings, or block's students)."""
    lists = run.preview_lists if run.preview_lists is not None else summarize(run)[1]
    rows = lists["blocks"].get(str(block_id), []) if name == "block" else lists[name]
    pages = max(1, math.ceil(len(rows) / PAGE))
    page = min(page, pages)
    return ListPage(rows[(page - 1) * PAGE : page * PAGE], page, pages, len(rows))
