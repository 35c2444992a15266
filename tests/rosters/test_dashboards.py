"""Dashboards: chart figures, suppression of small groups, text alternatives, constant queries."""

from __future__ import annotations

import re

from clerkship.applications.models import ApplicationState
from clerkship.awards.models import AwardState
from clerkship.core.charts import SUPPRESSED
from clerkship.offers.models import OfferState
from clerkship.rosters import dashboards
from tests import factories
from tests.conftest import login


def _more_placed(season, count: int, *, pathway: bool = False, block=None):
    block = block or season.august
    block.capacity = max(block.capacity, 40)
    for n in range(count):
        application = factories.make_application(
            factories.make_student(full_name=f"Extra {pathway} {n}"),
            blocks=[block],
            state=ApplicationState.ACCEPTED,
            in_pathway=pathway,
        )
        factories.make_placement(application, block, offer_state=OfferState.ACCEPTED)


def test_funnel_counts_each_stage_by_pathway_and_hides_small_groups(app, season):
    _more_placed(season, 5)
    chart = dashboards.funnel(season.cycle, season.department)
    assert chart.categories == ["Applied", "Reviewed", "Offered", "Accepted", "Completed"]
    pathway, others = chart.series
    assert pathway.values == [SUPPRESSED, 0, SUPPRESSED, 0, 0]
    # Others: Ana, Dee and 5 extras applied; Ana and the extras were offered and accepted.
    # Beside a hidden pathway count, the others' count of the same stage is hidden too:
    # the stage's total would give the hidden one away.
    assert others.values == [SUPPRESSED, 0, SUPPRESSED, 6, 0]


def test_block_fill_hides_empty_seats_beside_a_hidden_type(app, season):
    _more_placed(season, 3)
    chart = dashboards.block_fill(season.department, season.cycle)
    assert [s.name for s in chart.series] == ["Open", "Reserved", "Converted", "Empty"]
    # July: 1 open, 1 reserved held of 6; August: 3 open, 1 converted of 6 - all below 5.
    assert [s.values for s in chart.series] == [
        [SUPPRESSED, SUPPRESSED],
        [SUPPRESSED, 0],
        [0, SUPPRESSED],
        [SUPPRESSED, SUPPRESSED],
    ]


def test_block_fill_shows_groups_of_five_or_more(app, season):
    _more_placed(season, 5)
    september = factories.make_block(
        season.july.rotation, season.cycle, month=9, capacity=10, reserved=2
    )
    _more_placed(season, 6, block=september)
    september.capacity = 10
    chart = dashboards.block_fill(season.department, season.cycle)
    # 5 open, 0 reserved, 1 converted of 6: the 5 is hidden too, or the capacity less the
    # 5 and the 0 would give the converted seat away.
    assert [s.values[1] for s in chart.series] == [SUPPRESSED, 0, SUPPRESSED, SUPPRESSED]
    assert [s.values[2] for s in chart.series] == [6, 0, 0, 4]
    assert chart.labels[2][2] == "10"


def test_dashboard_page_renders_every_chart_with_its_text_alternative(client, season):
    factories.make_season(season.department, season.cycle)
    login(client, season.users["coordinator"])
    page = client.get(f"/departments/{season.department.slug}/dashboard?cycle={season.cycle.slug}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert re.findall(r'<figcaption id="[a-z]+-caption" class="h6">([^<]+)</figcaption>', html) == [
        "Applications from applied to completed",
        "Seats filled by seat type",
        "Review scores",
        "Interview days filled",
    ]
    for chart_id in ("funnel", "fill", "scores", "interviews"):
        assert f'aria-labelledby="{chart_id}-title {chart_id}-desc"' in html
        assert f'<desc id="{chart_id}-desc">' in html
    assert html.count("<summary>Data table:") == 4
    assert "<td>fewer than 5</td>" in html


def test_institution_dashboard_has_the_award_budget(client, season):
    factories.make_award_settings(season.cycle, budget=10_000_00)
    factories.make_award_application(season.placed[2], state=AwardState.AWARDED, amount=2000_00)
    login(client, season.users["committee"])
    html = client.get(f"/dashboard?cycle={season.cycle.slug}").get_data(as_text=True)
    assert "Award budget" in html
    assert '<tr><th scope="row">Committed, not yet paid</th><td>$2,000</td></tr>' in html
    assert '<tr><th scope="row">Remaining</th><td>$8,000</td></tr>' in html


def test_dashboard_queries_do_not_grow_with_applications(client, season, queries):
    factories.make_season(season.department, season.cycle)
    login(client, season.users["director"])
    url = f"/departments/{season.department.slug}/dashboard?cycle={season.cycle.slug}"
    client.get(url)
    with queries() as few:
        client.get(url)
    _more_placed(season, 12)
    _more_placed(season, 8, pathway=True)
    login(client, season.users["director"])
    with queries() as many:
        assert client.get(url).status_code == 200
    assert many.count == few.count


def test_department_links_show_rosters_only_to_department_staff(client, season):
    url = f"/departments/{season.department.slug}/onboarding/?cycle={season.cycle.slug}"
    login(client, season.users["coordinator"])
    assert ">Onboarding</a>" in client.get(url).get_data(as_text=True)
    reviewer = factories.make_user(
        (factories.Role.REVIEWER, season.department),
        (factories.Role.DIRECTOR, factories.make_department()),
    )
    login(client, reviewer)
    html = client.get(f"/departments/{season.department.slug}/rotations/").get_data(as_text=True)
    assert client.get(url).status_code == 403
    assert "/rosters/" not in html


def test_interview_fill_hides_free_places_beside_a_small_number_booked(app, season):
    interviews = factories.make_season(season.department, season.cycle)
    small = factories.make_day(interviews, days_ahead=20, capacity=10)
    full = factories.make_day(interviews, days_ahead=21, capacity=10)
    for day, booked in ((small, 3), (full, 6)):
        for _ in range(booked):
            factories.make_booking(factories.make_invitation(interviews), day)
    chart = dashboards.interview_fill(season.department, season.cycle)
    # 3 booked of 10: the 7 free would give the 3 away beside the day's capacity. Free
    # places are not people: 4 free are shown beside 6 booked.
    assert [s.values for s in chart.series] == [[SUPPRESSED, 6], [SUPPRESSED, 4]]


def test_institution_dashboard_queries_do_not_grow_with_applications(client, season, queries):
    login(client, season.users["committee"])
    url = f"/dashboard?cycle={season.cycle.slug}"
    client.get(url)
    with queries() as few:
        client.get(url)
    _more_placed(season, 12)
    _more_placed(season, 8, pathway=True)
    login(client, season.users["committee"])
    with queries() as many:
        assert client.get(url).status_code == 200
    assert many.count == few.count


def _charts(html: str) -> str:
    """The charts and their data tables."""
    return html.split('id="counted-at"', 1)[1].split("</main>", 1)[0].split("</p>", 1)[1]


def test_figures_are_kept_for_a_while_then_counted_again(app, client, season, queries):
    from flask import current_app
    from freezegun import freeze_time

    from clerkship.core.memo import memo

    for flask_app in (app, current_app):
        flask_app.config["DASHBOARD_CACHE_SECONDS"] = 300
    memo().clear()
    url = f"/departments/{season.department.slug}/dashboard?cycle={season.cycle.slug}"
    with freeze_time("2026-12-03 17:00:00"):
        # Signed in at the frozen time: the session cookie's signature carries when it was
        # made, and one from after the frozen clock (the real time) would be refused.
        login(client, season.users["director"])
        with queries() as counted:
            first = client.get(url).get_data(as_text=True)
        assert (
            "Figures counted Dec 3, 2026 9:00 AM PST; they are counted again after 5 minutes."
            in first
        )
        with queries() as kept:
            assert client.get(url).get_data(as_text=True) == first
        # The charts' queries are skipped while the figures are kept.
        assert kept.count < counted.count
        _more_placed(season, 12)
        assert client.get(url).get_data(as_text=True) == first
        # "Count them now" counts the new placements at once.
        now = client.get(url + "&fresh=1").get_data(as_text=True)
        assert _charts(now) != _charts(first)
    with freeze_time("2026-12-03 17:06:00"):
        later = client.get(url).get_data(as_text=True)
        assert client.get(url + "&fresh=maybe").status_code == 400
    assert "Figures counted Dec 3, 2026 9:06 AM PST" in later
    assert _charts(later) == _charts(now)
