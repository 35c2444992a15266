"""The ranking: raw and calibrated composites against hand-computed values, the director's
choice of what feeds the allocation, disagreement, sorting and filtering, query counts."""

from __future__ import annotations

import re
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.extensions import db
from clerkship.reviews.models import CompositeSource
from clerkship.reviews.queries import application_scores, score_round
from clerkship.reviews.records import Review, ReviewAssignment
from clerkship.reviews.rounds.services import choose_composite
from tests import factories
from tests.conftest import login
from tests.reviews.support import served_queries


@pytest.fixture
def ranked(app):
    """One criterion on 1-5, so a review's composite is its level.

    Lenient reviewer L: A 5, B 4 (mean 4.5, spread 0.5). Strict reviewer S: A 3, C 1
    (mean 2, spread 1). Pool 5, 4, 3, 1: mean 3.25, spread sqrt(2.1875) = 1.4790...
    Calibrated: z = +1 -> 3.25 + 1.479 = 4.73, z = -1 -> 3.25 - 1.479 = 1.77.
    Raw: A (5 + 3) / 2 = 4.00, B 4.00, C 1.00. Calibrated: A 4.73, B 1.77, C 1.77.
    """
    cycle = factories.make_cycle()
    department = factories.make_department(slug="em")
    rotation = factories.make_rotation(department)
    july, august = (factories.make_block(rotation, cycle, month=m) for m in (7, 8))
    director = factories.make_user((Role.DIRECTOR, department))
    review_round = factories.make_review_round(department, cycle, calibration_min_reviews=2)
    rubric = factories.make_rubric(review_round, weights=(1,))
    lenient = factories.make_reviewer(department, full_name="Dr. Lenient")
    strict = factories.make_reviewer(department, full_name="Dr. Strict")
    a = factories.make_applicant(
        department, cycle, legal_first_name="Ada", legal_last_name="Alpha", blocks=[july]
    )
    b = factories.make_applicant(
        department,
        cycle,
        legal_first_name="Ben",
        legal_last_name="Beta",
        in_pathway=True,
        blocks=[august],
    )
    c = factories.make_applicant(
        department, cycle, legal_first_name="Cy", legal_last_name="Gamma", blocks=[july, august]
    )
    for reviewer, application, level in (
        (lenient, a, 5),
        (lenient, b, 4),
        (strict, a, 3),
        (strict, c, 1),
    ):
        factories.make_review(
            factories.make_assignment(review_round, application, reviewer), rubric, [level]
        )
    return SimpleNamespace(**locals())


def test_score_round_matches_hand_computed_values(ranked):
    scores = score_round(ranked.review_round)
    a, b, c = ranked.a.id, ranked.b.id, ranked.c.id
    assert scores.raw == {a: D("4.00"), b: D("4.00"), c: D("1.00")}
    assert scores.calibrated == {a: D("4.73"), b: D("1.77"), c: D("1.77")}
    assert (scores.calibration.pooled_mean, scores.calibration.pooled_spread) == (
        D("3.25"),
        D("1.48"),
    )
    assert scores.calibration.calibrated_reviewers == {
        str(ranked.lenient.id),
        str(ranked.strict.id),
    }
    assert scores.gaps == {a: D("2.00")}


def test_reviewers_below_the_minimum_keep_raw_scores(ranked):
    ranked.review_round.calibration_min_reviews = 3
    scores = score_round(ranked.review_round)
    assert scores.calibrated == scores.raw
    assert scores.calibration.calibrated_reviewers == frozenset()


def test_application_scores_follow_the_directors_choice(ranked):
    department, cycle = ranked.department, ranked.cycle
    a, b, c = ranked.a.id, ranked.b.id, ranked.c.id
    assert application_scores(department, cycle) == {a: D("4.00"), b: D("4.00"), c: D("1.00")}
    choose_composite(ranked.review_round, CompositeSource.CALIBRATED, version=1, by=ranked.director)
    assert application_scores(department, cycle) == {a: D("4.73"), b: D("1.77"), c: D("1.77")}
    assert application_scores(factories.make_department(), cycle) == {}


def test_stale_choice_of_composite_refused(client, ranked):
    login(client, ranked.director)
    response = client.post(
        "/departments/em/reviews/ranking/source", data={"source": "calibrated", "version": "0"}
    )
    assert response.status_code == 400
    assert "Someone else changed this choice after you opened the page." in response.get_data(
        as_text=True
    )
    assert ranked.review_round.composite_source is CompositeSource.RAW
    chosen = client.post(
        "/departments/em/reviews/ranking/source", data={"source": "calibrated", "version": "1"}
    )
    assert chosen.status_code == 302
    assert ranked.review_round.composite_source is CompositeSource.CALIBRATED


def _rows(page: str) -> list[list[str]]:
    body = page[page.index('<table class="table table-sm align-middle" id="ranking">') :]
    body = body[body.index("<tbody>") : body.index("</tbody>")]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        rows.append([re.sub(r"<[^>]+>", "", cell).strip() for cell in cells])
    return rows


def test_ranking_page_shows_raw_and_calibrated_side_by_side(client, ranked):
    login(client, ranked.director)
    page = client.get("/departments/em/reviews/ranking").get_data(as_text=True)
    assert _rows(page) == [
        ["1", "Ada Alpha", "No", "2 of 2", "4.00", "4.73", "Yes, 2.00 apart", "Submitted"],
        ["1", "Ben Beta", "Pathway", "1 of 1", "4.00", "1.77", "No", "Submitted"],
        ["3", "Cy Gamma", "No", "1 of 1", "1.00", "1.77", "No", "Submitted"],
    ]
    client.post(
        "/departments/em/reviews/ranking/source", data={"source": "calibrated", "version": "1"}
    )
    page = client.get("/departments/em/reviews/ranking").get_data(as_text=True)
    assert [row[:2] for row in _rows(page)] == [
        ["1", "Ada Alpha"],
        ["2", "Ben Beta"],
        ["2", "Cy Gamma"],
    ]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("sort=name", ["Ada Alpha", "Ben Beta", "Cy Gamma"]),
        ("sort=calibrated", ["Ada Alpha", "Ben Beta", "Cy Gamma"]),
        ("sort=gap", ["Ada Alpha", "Ben Beta", "Cy Gamma"]),
        ("pathway=yes", ["Ben Beta"]),
        ("pathway=no", ["Ada Alpha", "Cy Gamma"]),
        ("disagreement=y", ["Ada Alpha"]),
        ("sort=bogus&pathway=maybe", ["Ada Alpha", "Ben Beta", "Cy Gamma"]),
    ],
)
def test_ranking_sort_and_filter(client, ranked, query, names):
    login(client, ranked.director)
    page = client.get(f"/departments/em/reviews/ranking?{query}").get_data(as_text=True)
    assert [row[1] for row in _rows(page)] == names


def test_ranking_filter_by_block_chosen(client, ranked):
    login(client, ranked.director)
    page = client.get(f"/departments/em/reviews/ranking?block={ranked.august.id}").get_data(
        as_text=True
    )
    assert [row[1] for row in _rows(page)] == ["Ben Beta", "Cy Gamma"]


def test_ranking_query_count_does_not_grow_with_applications(app, client, ranked):
    login(client, ranked.director)
    with served_queries(app) as small:
        assert client.get("/departments/em/reviews/ranking").status_code == 200
    for n in range(20):
        application = factories.make_applicant(
            ranked.department, ranked.cycle, blocks=[ranked.july]
        )
        reviewer = ranked.lenient if n % 2 else ranked.strict
        factories.make_review(
            factories.make_assignment(ranked.review_round, application, reviewer),
            ranked.rubric,
            [1 + n % 5],
        )
    with served_queries(app) as large:
        page = client.get("/departments/em/reviews/ranking").get_data(as_text=True)
    assert len(_rows(page)) == 23
    assert small.count == large.count > 0


def test_scores_kept_between_calls_follow_every_change(ranked):
    first = score_round(ranked.review_round)
    assert score_round(ranked.review_round).raw is first.raw  # reused, not recomputed
    review = db.session.scalar(
        select(Review).join(ReviewAssignment).where(ReviewAssignment.application_id == ranked.c.id)
    )
    review.composite = D("3.00")  # an edit: updated_at moves on
    assert score_round(ranked.review_round).raw[ranked.c.id] == D("3.00")
    ranked.review_round.calibration_min_reviews = 3
    assert score_round(ranked.review_round).calibrated[ranked.a.id] == D("4.00")
    extra = factories.make_applicant(ranked.department, ranked.cycle)
    factories.make_review(
        factories.make_assignment(ranked.review_round, extra, ranked.strict), ranked.rubric, [2]
    )
    assert score_round(ranked.review_round).raw[extra.id] == D("2.00")
