"""The outcome report built from the funnel counts, with every group under 5 suppressed.

One table per cycle and stage holds every count the report can show: a row per department and
one for the institution, columns pathway, not in the pathway and all. Each row (pathway + not =
all) and each column (the departments add up to the institution) is a line whose sum is shown,
so core suppression hides the small cells and, wherever a line has a single hidden cell, a
complement. The page, the charts and the downloads read only these suppressed cells.
"""

from __future__ import annotations

from dataclasses import dataclass

from clerkship.core.charts import Chart, Series, bar_chart
from clerkship.core.suppression import MINIMUM_GROUP, SUPPRESSED, suppress_table
from clerkship.core.tabular import Column
from clerkship.cycles.models import Cycle, Department
from clerkship.outcomes.queries import STAGE_KEYS, STAGES, FunnelCount

GROUPS = [("pathway", "Pathway"), ("other", "Not in the pathway"), ("all", "All applicants")]
INSTITUTION = 0  # the key of the institution's row


@dataclass
class Report:
    """Suppressed counts by cycle, stage, department (INSTITUTION for all) and group."""

    cycles: list[Cycle]
    departments: list[Department]
    cells: dict[tuple[int, str, int], dict[str, int | None]]

    def cell(self, cycle: Cycle, stage: str, department_id: int, group: str) -> int | None:
        return self.cells[(cycle.id, stage, department_id)][group]

    def funnel(self, cycle: Cycle, department_id: int = INSTITUTION) -> list[dict]:
        """The rows of one cycle's funnel: stage label and the three groups' counts."""
        return [
            {"stage": label, **self.cells[(cycle.id, key, department_id)]} for key, label in STAGES
        ]


def build_report(
    cycles: list[Cycle], departments: list[Department], counts: list[FunnelCount]
) -> Report:
    """Suppress the raw counts of the cycles into the report's cells."""
    raw: dict[tuple[int, int, bool], dict[str, int]] = {
        (c.cycle_id, c.department_id, c.in_pathway): c.counts for c in counts
    }
    cells: dict[tuple[int, str, int], dict[str, int | None]] = {}
    for cycle in cycles:
        for stage in STAGE_KEYS:
            rows = []
            for department in departments:
                pathway = raw.get((cycle.id, department.id, True), {}).get(stage, 0)
                other = raw.get((cycle.id, department.id, False), {}).get(stage, 0)
                rows.append([pathway, other, pathway + other])
            totals = [sum(row[i] for row in rows) for i in range(3)]
            shown = suppress_table([*rows, totals], row_totals=True, column_totals=True)
            keys = [d.id for d in departments] + [INSTITUTION]
            for key, values in zip(keys, shown, strict=True):
                cells[(cycle.id, stage, key)] = dict(
                    zip([g for g, _ in GROUPS], values, strict=True)
                )
    return Report(cycles, departments, cells)


def rate(part: int | None, whole: int | None) -> str:
    """part of whole as a percentage, or a dash when either is hidden or whole is zero."""
    if part is SUPPRESSED or whole is SUPPRESSED or not whole:
        return "—"
    return f"{round(100 * part / whole)}%"


def shown(value: int | None) -> str:
    """A cell as words: the count, or that it is fewer than the minimum group."""
    return f"fewer than {MINIMUM_GROUP}" if value is SUPPRESSED else str(value)


def funnel_chart(report: Report, cycle: Cycle, department_id: int = INSTITUTION) -> Chart:
    """The cycle's funnel, pathway and not side by side, one bar pair per stage."""
    rows = report.funnel(cycle, department_id)
    return bar_chart(
        f"funnel-{cycle.slug}-{department_id}",
        f"Funnel, {cycle.name}",
        f"Applicants of {cycle.name} reaching each stage, in the pathway and not; groups under "
        f"{MINIMUM_GROUP} are not drawn.",
        [row["stage"] for row in rows],
        [
            Series("Pathway", [row["pathway"] for row in rows], "chart-reserved"),
            Series("Not in the pathway", [row["other"] for row in rows], "chart-open"),
        ],
        stacked=False,
    )


def trend_chart(report: Report, stage: str, department_id: int = INSTITUTION) -> Chart:
    """One stage across the report's cycles, pathway and not."""
    label = dict(STAGES)[stage]
    cycles = report.cycles
    return bar_chart(
        f"trend-{stage}-{department_id}",
        f"{label}, by cycle",
        f"Applicants who reached “{label}” in each cycle, in the pathway and not; groups under "
        f"{MINIMUM_GROUP} are not drawn.",
        [c.name for c in cycles],
        [
            Series(
                "Pathway",
                [report.cell(c, stage, department_id, "pathway") for c in cycles],
                "chart-reserved",
            ),
            Series(
                "Not in the pathway",
                [report.cell(c, stage, department_id, "other") for c in cycles],
                "chart-open",
            ),
        ],
        stacked=False,
    )


@dataclass(frozen=True)
class DownloadRow:
    cycle: str
    program: str
    stage: str
    pathway: str
    other: str
    everyone: str


def download_rows(report: Report, department_ids: list[int]) -> list[DownloadRow]:
    """Every shown cell of the report for the downloads (suppressed ones as words)."""
    names = {d.id: d.name for d in report.departments} | {INSTITUTION: "All programs"}
    rows = []
    for cycle in report.cycles:
        for department_id in department_ids:
            for key, label in STAGES:
                cell = report.cells[(cycle.id, key, department_id)]
                rows.append(
                    DownloadRow(
                        cycle.name,
                        names[department_id],
                        label,
                        shown(cell["pathway"]),
                        shown(cell["other"]),
                        shown(cell["all"]),
                    )
                )
    return rows


DOWNLOAD_COLUMNS = [
    Column("cycle", "Cycle", lambda r: r.cycle),
    Column("program", "Program", lambda r: r.program, width=28),
    Column("stage", "Stage", lambda r: r.stage, width=24),
    Column("pathway", "Pathway", lambda r: r.pathway),
    Column("other", "Not in the pathway", lambda r: r.other),
    Column("all", "All applicants", lambda r: r.everyone),
]
