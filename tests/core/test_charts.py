"""Server-drawn charts: geometry, suppression of small groups, and the text alternative."""

from __future__ import annotations

from flask import render_template_string

from clerkship.core.charts import Series, bar_chart
from clerkship.core.suppression import SUPPRESSED


def test_stacked_bars_scale_to_the_largest_total():
    chart = bar_chart(
        "fill",
        "Block fill",
        "Seats by type per block.",
        ["July", "August"],
        [Series("Open", [2, 4], "chart-open"), Series("Reserved", [2, 0], "chart-reserved")],
    )
    assert [(b.css, round(b.width)) for b in chart.bars] == [
        ("chart-open", 230),
        ("chart-reserved", 230),
        ("chart-open", 460),
    ]
    assert [total for _y, _c, total in chart.labels] == ["4", "4"]


def test_small_groups_are_suppressed_in_the_table_and_not_drawn():
    chart = bar_chart(
        "f",
        "Funnel",
        "Applied, by pathway.",
        ["Applied"],
        [
            Series("Pathway", [SUPPRESSED], "chart-primary"),
            Series("Others", [40], "chart-secondary"),
        ],
    )
    assert len(chart.bars) == 1
    assert chart.cell(chart.series[0], 0) == "fewer than 5"


def test_chart_renders_svg_with_title_description_and_table(app):
    chart = bar_chart(
        "budget",
        "Award budget",
        "Committed $6,000 and paid $2,000 of $20,000.",
        ["Budget"],
        [Series("Paid", [2000], "chart-open")],
        unit="$",
    )
    with app.test_request_context():
        html = render_template_string(
            '{% import "_macros/charts.html" as charts %}{{ charts.render(chart) }}', chart=chart
        )
    assert 'role="img" aria-labelledby="budget-title budget-desc"' in html
    assert '<desc id="budget-desc">Committed $6,000 and paid $2,000 of $20,000.</desc>' in html
    assert "<td>$2,000</td>" in html


def test_long_category_labels_wrap_left_of_the_bars_instead_of_being_cut(app):
    long = "Emergency Medicine Sub-Internship, LA General, Jul 5 – Aug 1, 2027"
    chart = bar_chart("fill", "Block fill", "Seats.", [long, "July"], [Series("Open", [2, 4], "o")])
    assert [[text for _y, text in lines] for lines in chart.label_lines] == [
        ["Emergency Medicine", "Sub-Internship, LA General,", "Jul 5 – Aug 1, 2027"],
        ["July"],
    ]
    first, second = chart.label_lines
    assert [y for y, _ in first] == [17.5, 32.5, 47.5]  # 45 px of lines from the top, 10
    assert chart.bars[0].y == 21.5 and second == [(76.0, "July")]  # the bar centred too
    with app.test_request_context():
        html = render_template_string(
            '{% import "_macros/charts.html" as charts %}{{ charts.render(chart) }}', chart=chart
        )
    assert '<tspan x="210" y="32.5">Sub-Internship, LA General,</tspan>' in html
