"""The demo's past seasons: the outcome report has a trend over three cycles, no group exposed."""

from __future__ import annotations

from clerkship.doctor.queries import all_violations
from clerkship.outcomes import queries, report


def test_demo_has_three_past_seasons_followed_to_the_match(app, demo_season):
    cycles = queries.report_cycles()
    built = report.build_report(
        cycles, queries.departments_of(), queries.funnel_counts([c.id for c in cycles])
    )
    past = cycles[:-1]
    assert len(past) == 3
    for cycle in past:
        for stage in ("applied", "rotated", "interviewed", "ranked", "matched"):
            for group in ("pathway", "other"):
                value = built.cell(cycle, stage, report.INSTITUTION, group)
                assert value is not None and value >= 5, (cycle.name, stage, group, value)
    matched = [built.cell(c, "matched", report.INSTITUTION, "pathway") for c in past]
    assert matched == sorted(matched) and matched[0] < matched[-1]
    assert all_violations() == []
