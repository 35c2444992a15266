"""Bar charts drawn on the server as SVG, each with a text alternative and its data table.

Nothing is fetched from the internet, nothing needs JavaScript, and a screen reader
gets the description and the table. Counts hidden by clerkship.core.suppression are
shown as "fewer than N" and never drawn, so nobody can be singled out.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from clerkship.core.suppression import SUPPRESSED

BAR_HEIGHT = 22
GAP = 10
LABEL_WIDTH = 220
PLOT_WIDTH = 460
VALUE_WIDTH = 110
LINE_HEIGHT = 15  # of a category's label (13 px text), which wraps to fit LABEL_WIDTH
LABEL_CHARACTERS = 30  # on one line of a label, at most
LABEL_LINES = 3  # at most; the data table and each bar's title hold the whole category


@dataclass(frozen=True)
class Series:
    """One coloured series: a value per category (None where suppressed)."""

    name: str
    values: list[float | None]
    css: str  # class of the bars, e.g. "chart-open"


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass
class Chart:
    """A horizontal bar chart, stacked or grouped, ready for templates/_macros/charts.html."""

    id: str
    title: str
    description: str
    categories: list[str]
    series: list[Series]
    stacked: bool = True
    unit: str = ""
    minimum_group: int = 5
    bars: list[Bar] = field(default_factory=list)
    labels: list[tuple[float, str, str]] = field(default_factory=list)  # y, category, total
    label_lines: list[list[tuple[float, str]]] = field(default_factory=list)  # (y, text) each
    height: int = 0
    width: int = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH

    def cell(self, series: Series, index: int) -> str:
        """A data-table cell: the value, or the suppression notice."""
        value = series.values[index]
        if value is SUPPRESSED:
            return f"fewer than {self.minimum_group}"
        return self.format(value)

    def format(self, value: float) -> str:
        text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
        return f"{self.unit}{text}" if self.unit == "$" else f"{text}{self.unit}"


def bar_chart(
    id: str,
    title: str,
    description: str,
    categories: list[str],
    series: list[Series],
    *,
    stacked: bool = True,
    unit: str = "",
    minimum_group: int = 5,
) -> Chart:
    """Lay out a horizontal bar chart: one row per category, series stacked or side by side."""
    chart = Chart(id, title, description, categories, series, stacked, unit, minimum_group)
    rows = len(categories)
    per_row = BAR_HEIGHT if stacked else BAR_HEIGHT * max(1, len(series)) // 1
    totals = (
        [
            sum(s.values[i] or 0 for s in series)
            if stacked
            else max((s.values[i] or 0) for s in series)
            for i in range(rows)
        ]
        if series
        else [0] * rows
    )
    scale = PLOT_WIDTH / max(max(totals, default=0), 1)
    y = GAP
    for i, category in enumerate(categories):
        lines = label_lines(category)
        row = max(per_row, len(lines) * LINE_HEIGHT)
        top = y + (row - per_row) / 2  # the bars, centred on the label's lines
        x = float(LABEL_WIDTH)
        for k, s in enumerate(series):
            value = s.values[i]
            if value in (None, 0):
                continue
            width = value * scale
            bar_y = top if stacked else top + k * BAR_HEIGHT
            chart.bars.append(
                Bar(
                    x if stacked else LABEL_WIDTH,
                    bar_y,
                    width,
                    BAR_HEIGHT - 2,
                    s.css,
                    f"{category}, {s.name}: {chart.format(value)}",
                )
            )
            if stacked:
                x += width
        hidden = any(s.values[i] is SUPPRESSED for s in series)
        total = (
            f"fewer than {minimum_group}" if hidden and not totals[i] else chart.format(totals[i])
        )
        middle = y + row / 2
        chart.labels.append((middle, category, total if stacked else ""))
        first = middle - (len(lines) - 1) * LINE_HEIGHT / 2
        chart.label_lines.append([(first + n * LINE_HEIGHT, line) for n, line in enumerate(lines)])
        y += row + GAP
    chart.height = int(y)
    return chart


def label_lines(category: str) -> list[str]:
    """A category's label in lines that fit left of the bars (the last cut with "…")."""
    lines = textwrap.wrap(category, LABEL_CHARACTERS, break_on_hyphens=False) or [""]
    if len(lines) > LABEL_LINES:
        lines = lines[:LABEL_LINES]
        lines[-1] = lines[-1][: LABEL_CHARACTERS - 1].rstrip() + "…"
    return lines
