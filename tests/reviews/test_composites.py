"""The composites and the ranking page computed by the database (ranking/composites.py,
ranking/listing.py) against the Python reference (scoring, queries.ranking_rows), on a
varied round: weighted criteria, reviewers above and below the calibration minimum, one who
gives everyone the same score, drafts, withdrawn and unreviewed applications, means that
fall on a half hundredth, a viewer whose own review is pending."""

from __future__ import annotations

import random
import re
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.applications.models import ApplicationState
from clerkship.bench.harness import count_queries
from clerkship.extensions import db
from clerkship.reviews import queries
from clerkship.reviews.models import CompositeSource
from clerkship.reviews.ranking import composites, listing
from clerkship.reviews.records import ApplicationComposite, Recommendation
from clerkship.reviews.reviewing.services import save_review
from tests import factories
from tests.conftest import login


def _points(hundredths):
    return D(hundredths).scaleb(-2)


@pytest.fixture
def varied(app):
    rng = random.Random(15)
    cycle = factories.make_cycle()
    department = factories.make_department(slug="em")
    rotation = factories.make_rotation(department)
    blocks = [factories.make_block(rotation, cycle, month=m) for m in (7, 8, 9)]
    director = factories.make_user((Role.DIRECTOR, department), (Role.REVIEWER, department))
    # A second director who reviews nothing: nothing is withheld from them.
    chair = factories.make_user((Role.DIRECTOR, department))
    review_round = factories.make_review_round(department, cycle, calibration_min_reviews=3)
    rubric = factories.make_rubric(review_round, weights=(3, 2, 2, 1, 2))
    reviewers = [factories.make_reviewer(department) for _ in range(5)]
    flat, loner = reviewers[3], reviewers[4]
    applications = []
    for i in range(36):
        state = ApplicationState.WITHDRAWN if i in (5, 17) else None
        applications.append(
            factories.make_applicant(
                department,
                cycle,
                legal_first_name=rng.choice(["Ana", "ana", "Émile", "Zoë", "Bo"]),
                legal_last_name=f"N{rng.randrange(100)}",
                in_pathway=i % 3 == 0,
                blocks=rng.sample(blocks, rng.randint(1, 2)),
                **({"state": state} if state else {}),
            )
        )
    for i, application in enumerate(applications):
        if i in (7, 30):
            continue  # never reviewed
        for reviewer in rng.sample(reviewers[:4], 2 if i % 4 else 3):
            levels = [3, 3, 3, 3, 3] if reviewer is flat else [rng.randint(1, 5) for _ in range(5)]
            assignment = factories.make_assignment(review_round, application, reviewer)
            factories.make_review(assignment, rubric, levels, submitted=i % 11 != 4)
    factories.make_review(
        factories.make_assignment(review_round, applications[0], loner), rubric, [5, 5, 4, 5, 5]
    )
    # The director's own review of two applications is pending: their scores are withheld.
    factories.make_assignment(review_round, applications[1], director)
    factories.make_review(
        factories.make_assignment(review_round, applications[2], director),
        rubric,
        [2, 2, 2, 2, 2],
        submitted=False,
    )
    return SimpleNamespace(**locals())


def _computed(review_round) -> dict[int, tuple]:
    table = composites.application_composites(review_round)
    return {
        a: (_points(raw), _points(calibrated), spread)
        for a, raw, calibrated, _chosen, spread in db.session.execute(select(table))
    }


@pytest.mark.parametrize("min_reviews", [2, 3, 1000])
def test_database_composites_equal_the_python_reference(varied, min_reviews):
    varied.review_round.calibration_min_reviews = min_reviews
    scores = queries.score_round(varied.review_round)
    computed = _computed(varied.review_round)
    assert {a: raw for a, (raw, _c, _s) in computed.items()} == scores.raw
    assert {a: cal for a, (_r, cal, _s) in computed.items()} == scores.calibrated
    threshold = varied.review_round.disagreement_threshold
    flagged = {a: _points(s) for a, (_r, _c, s) in computed.items() if s > threshold * 100}
    assert flagged == scores.gaps
    assert len(scores.raw) >= 30
    assert (scores.calibrated == scores.raw) is (min_reviews == 1000)
    composites.refresh(varied.review_round)
    stamp = composites.current_stamp(varied.review_round)
    assert composites.pooled_calibration(stamp) == composites.Pool.of(scores.calibration)


def test_a_mean_on_a_half_hundredth_rounds_up_on_the_database(varied):
    # 1.00 and 1.01 (two reviews): 1.005 is held as 1.01, as scoring.hold does.
    rubric = factories.make_rubric(varied.review_round, weights=(99, 1))
    application = factories.make_applicant(varied.department, varied.cycle)
    for levels in ([1, 1], [1, 2]):
        reviewer = factories.make_reviewer(varied.department)
        factories.make_review(
            factories.make_assignment(varied.review_round, application, reviewer), rubric, levels
        )
    raw, _calibrated, spread = _computed(varied.review_round)[application.id]
    assert (raw, spread) == (D("1.01"), 1)
    assert queries.score_round(varied.review_round).raw[application.id] == D("1.01")


def _reference(varied, viewer, page, per_page, **choice):
    rows = queries.ranking_rows(
        varied.review_round, queries.score_round(varied.review_round), viewer
    )
    shown = queries.filter_and_sort(rows, **choice)
    pages = max(1, -(-len(shown) // per_page))
    page = min(page, pages)
    return (
        shown[(page - 1) * per_page : page * per_page],
        len(shown),
        sum(1 for r in rows if r.rank is not None),
        any(r.withheld for r in rows),
        page,
    )


def _key(row):
    return (
        row.application_id,
        row.in_pathway,
        row.state,
        row.rank,
        row.raw,
        row.calibrated,
        row.chosen,
        row.gap,
        row.withheld,
    )


@pytest.mark.parametrize("viewer", ["director", "chair"])
@pytest.mark.parametrize("source", list(CompositeSource))
@pytest.mark.parametrize("sort", ["composite", "raw", "calibrated", "gap", "name"])
def test_ranking_page_from_the_database_equals_the_python_reference(varied, source, sort, viewer):
    user = getattr(varied, viewer)
    varied.review_round.composite_source = source
    varied.review_round.disagreement_threshold = D("0.50")
    composites.refresh(varied.review_round)
    assert composites.stored_are_current(varied.review_round)
    block = varied.blocks[1].id
    for choice in (
        {},
        {"pathway": True},
        {"pathway": False, "block_id": block},
        {"disagreement_only": True},
    ):
        for page in (1, 2, 3, 9):
            listed, number = listing.ranking_page(
                varied.review_round, user, sort=sort, page=page, per_page=7, **choice
            )
            rows, total, ranked, withheld_any, expected_page = _reference(
                varied, user, page, 7, sort=sort, **choice
            )
            assert [_key(r) for r in listed.rows] == [_key(r) for r in rows], (choice, page)
            assert (listed.total, listed.ranked, listed.withheld_any, number) == (
                total,
                ranked,
                withheld_any,
                expected_page,
            )
    assert withheld_any is (viewer == "director")


def test_the_unfiltered_ranking_is_read_down_the_index_when_nothing_is_withheld(varied):
    # Two statements (the counts, then the page from application_composite's index) for
    # a viewer with no review pending, on a page of ranked rows; the whole round otherwise.
    composites.refresh(varied.review_round)
    engine = db.session.get_bind()
    for viewer, page, statements in (
        (varied.chair, 1, 2),
        (varied.chair, 2, 2),
        (varied.chair, 9, 2),  # the last page holds unranked rows: counted, then the round
        (varied.director, 1, 2),  # the director's pending review: counted, then the round
    ):
        with count_queries(engine) as counted:
            listed, number = listing.ranking_page(
                varied.review_round, viewer, page=page, per_page=7
            )
        assert counted.count == statements, (viewer.email, page)
        rows, total, ranked, _withheld, expected = _reference(varied, viewer, page, 7)
        assert [_key(r) for r in listed.rows] == [_key(r) for r in rows]
        assert (listed.total, listed.ranked, number) == (total, ranked, expected)


def test_recording_a_review_refreshes_the_stored_composites(varied):
    composites.refresh(varied.review_round)
    assignment = factories.make_assignment(
        varied.review_round, varied.applications[30], varied.reviewers[0]
    )
    criteria = {c.id: 4 for c in varied.rubric.criteria}
    save_review(
        assignment,
        levels=criteria,
        recommendation=Recommendation.RECOMMEND,
        comments="",
        version=None,
        submit=True,
        by=varied.reviewers[0],
    )
    assert composites.stored_are_current(varied.review_round)
    stored = db.session.get(
        ApplicationComposite, (varied.review_round.id, varied.applications[30].id)
    )
    assert (stored.raw, stored.calibrated) == (400, stored.calibrated)
    assert (
        _points(stored.raw)
        == queries.score_round(varied.review_round).raw[varied.applications[30].id]
    )


def test_ranking_page_reads_the_database_when_current_and_python_otherwise(client, varied):
    login(client, varied.director)
    url = "/departments/em/reviews/ranking?sort=composite&page=2"

    def page() -> str:
        return re.sub(
            r'<input[^>]*name="csrf_token"[^>]*>', "", client.get(url).get_data(as_text=True)
        )

    stale = page()
    composites.refresh(varied.review_round)
    db.session.commit()
    current = page()
    assert current == stale
    assert " applications ranked." in current and "Ana" in current
