from decimal import Decimal as D

import pytest

from clerkship.reviews.ranking.scoring import (
    Criterion,
    Review,
    Rubric,
    ScoredReview,
    calibrate,
    flag_disagreements,
    score_applications,
    score_review,
    score_reviews,
)

RUBRIC = Rubric(
    (
        Criterion("clinical", D(3)),
        Criterion("communication", D(2)),
        Criterion("professionalism", D(1)),
    )
)


def scored(reviewer, pairs):
    return [ScoredReview(application, reviewer, D(value)) for application, value in pairs]


def test_score_review_weighted_mean_held_at_hundredths():
    # (3*4 + 2*5 + 1*3) / (3 + 2 + 1) = 25 / 6 = 4.1666... -> 4.17
    levels = {"clinical": 4, "communication": 5, "professionalism": 3}
    assert score_review(RUBRIC, levels) == D("4.17")


def test_score_review_insufficient_evidence_renormalises_weights():
    # communication does not count: (3*4 + 1*3) / (3 + 1) = 15 / 4 = 3.75
    levels = {"clinical": 4, "communication": None, "professionalism": 3}
    assert score_review(RUBRIC, levels) == D("3.75")
    # A criterion left out counts the same as one marked insufficient evidence.
    assert score_review(RUBRIC, {"clinical": 4, "professionalism": 3}) == D("3.75")


def test_score_review_nothing_scored_has_no_composite():
    assert score_review(RUBRIC, {"clinical": None, "communication": None}) is None
    assert score_review(RUBRIC, {}) is None


def test_score_review_half_rounds_up():
    rubric = Rubric((Criterion("a", 1), Criterion("b", 7)))
    # (1*3 + 7*2) / 8 = 17 / 8 = 2.125: half up gives 2.13 (half even would give 2.12)
    assert score_review(rubric, {"a": 3, "b": 2}) == D("2.13")


@pytest.mark.parametrize(
    ("levels", "message"),
    [
        ({"clinical": 6}, "criterion clinical: level 6 is outside 1-5"),
        ({"clinical": 0}, "criterion clinical: level 0 is outside 1-5"),
        ({"empathy": 3}, "criterion empathy is not in the rubric"),
    ],
)
def test_score_review_bad_levels_refused(levels, message):
    with pytest.raises(ValueError) as error:
        score_review(RUBRIC, levels)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ((), "a rubric needs at least one criterion"),
        ((Criterion("a", 1), Criterion("a", 2)), "criterion a is listed twice"),
        ((Criterion("a", 0),), "criterion a: weight must be a positive Decimal or int"),
        ((Criterion("a", 0.5),), "criterion a: weight must be a positive Decimal or int"),
        ((Criterion("a", 1, 3, 3),), "criterion a: scale 3-3 is empty"),
        (
            (Criterion("a", 1), Criterion("b", 1, 0, 10)),
            "criterion b: scale 0-10 differs from the rubric's 1-5",
        ),
    ],
)
def test_rubric_bad_criteria_refused(criteria, message):
    with pytest.raises(ValueError) as error:
        Rubric(criteria)
    assert str(error.value) == message


def test_score_reviews_drops_reviews_without_composite():
    reviews = [
        Review("A1", "R1", {"clinical": 4, "communication": 5, "professionalism": 3}),
        Review("A1", "R2", {"clinical": None}),
        Review("A2", "R1", {"clinical": 4, "professionalism": 3}),
    ]
    assert score_reviews(RUBRIC, reviews) == [
        ScoredReview("A1", "R1", D("4.17")),
        ScoredReview("A2", "R1", D("3.75")),
    ]


def test_score_reviews_duplicate_review_refused():
    with pytest.raises(ValueError) as error:
        score_reviews(RUBRIC, [Review("A1", "R1", {}), Review("A1", "R1", {})])
    assert str(error.value) == "review A1/R1 is listed twice"


def test_score_applications_averages_held_review_composites():
    reviews = [
        Review("A1", "R1", {"clinical": 4, "communication": 5, "professionalism": 3}),
        Review("A1", "R2", {"clinical": 4, "communication": 4, "professionalism": 4}),
        Review("A2", "R1", {"clinical": 4, "professionalism": 3}),
    ]
    # A1: reviews held at 4.17 and 4.00; (4.17 + 4.00) / 2 = 4.085 -> 4.09. (Averaging
    # the unrounded 25/6 and 4 would give 4.0833... -> 4.08: we average what is shown.)
    # A2: one review, 3.75.
    assert score_applications(score_reviews(RUBRIC, reviews)) == {
        "A1": D("4.09"),
        "A2": D("3.75"),
    }


# The lenient reviewer L scores P1..P5 around a mean of 3.8, the strict reviewer S
# scores Q1..Q5 around 2.2; both have deviations -0.9, -0.3, 0, 0.3, 0.9, so both have
# population variance (0.81 + 0.09 + 0 + 0.09 + 0.81) / 5 = 0.36 and spread 0.6.
# N has only two reviews (P1 2.0, Q1 4.0) and stays raw.
LENIENT = scored("L", [("P1", "2.9"), ("P2", "3.5"), ("P3", "3.8"), ("P4", "4.1"), ("P5", "4.7")])
STRICT = scored("S", [("Q1", "1.3"), ("Q2", "1.9"), ("Q3", "2.2"), ("Q4", "2.5"), ("Q5", "3.1")])
FEW = scored("N", [("P1", "2.00"), ("Q1", "4.00")])


def test_calibrate_lenient_and_strict_reviewers_reorder_applications():
    result = calibrate(LENIENT + STRICT + FEW, low=1, high=5)
    # Pool of all 12 reviews: sum 19.0 + 11.0 + 6.0 = 36.0, mean 3.0. Squared deviations
    # from 3.0: L 0.01 + 0.25 + 0.64 + 1.21 + 2.89 = 5.00, S likewise 5.00, N 1 + 1 = 2;
    # variance 12 / 12 = 1, spread 1.0.
    assert (result.pooled_mean, result.pooled_spread) == (D("3.00"), D("1.00"))
    assert result.calibrated_reviewers == frozenset({"L", "S"})
    # z = deviation / 0.6 = -1.5, -0.5, 0, 0.5, 1.5; calibrated = 3.0 + z * 1.0.
    # (A sample spread would give 4.7 -> z 0.9 / 0.6708 = 1.342 -> 3 + 1.342 * 1.0445
    # = 4.40 rather than 4.50.)
    assert [s.composite for s in result.reviews] == [
        D(v) for v in ["1.50", "2.50", "3.00", "3.50", "4.50"] * 2 + ["2.00", "4.00"]
    ]
    raw = score_applications(LENIENT + STRICT + FEW)
    assert raw == {
        "P1": D("2.45"),  # (2.9 + 2.0) / 2
        "P2": D("3.50"),
        "P3": D("3.80"),
        "P4": D("4.10"),
        "P5": D("4.70"),
        "Q1": D("2.65"),  # (1.3 + 4.0) / 2
        "Q2": D("1.90"),
        "Q3": D("2.20"),
        "Q4": D("2.50"),
        "Q5": D("3.10"),
    }
    assert result.applications == {
        "P1": D("1.75"),  # (1.50 + 2.0) / 2
        "P2": D("2.50"),
        "P3": D("3.00"),
        "P4": D("3.50"),
        "P5": D("4.50"),
        "Q1": D("2.75"),  # (1.50 + 4.0) / 2
        "Q2": D("2.50"),
        "Q3": D("3.00"),
        "Q4": D("3.50"),
        "Q5": D("4.50"),
    }
    # Raw, the lenient reviewer's P4 is ahead of the strict reviewer's Q5; calibrated,
    # Q5 (the strict reviewer's best) is ahead of P4 (the lenient reviewer's second best).
    assert raw["P4"] > raw["Q5"]
    assert result.applications["Q5"] > result.applications["P4"]


def test_calibrate_min_reviews_configurable():
    # With min_reviews=2, N is calibrated too: mean 3.0, spread 1.0, z = -1 and +1,
    # mapped to 3.0 -/+ 1.0 = 2.00 and 4.00.
    result = calibrate(LENIENT + STRICT + FEW, low=1, high=5, min_reviews=2)
    assert result.calibrated_reviewers == frozenset({"L", "S", "N"})
    assert [s.composite for s in result.reviews][-2:] == [D("2.00"), D("4.00")]
    # With min_reviews=6 nobody is: every review keeps its raw composite.
    result = calibrate(LENIENT + STRICT + FEW, low=1, high=5, min_reviews=6)
    assert result.reviews == tuple(LENIENT + STRICT + FEW)


def test_calibrate_single_reviewer_maps_onto_themselves():
    result = calibrate(LENIENT, low=1, high=5)
    assert [s.composite for s in result.reviews] == [
        D("2.90"),
        D("3.50"),
        D("3.80"),
        D("4.10"),
        D("4.70"),
    ]


def test_calibrate_clips_to_scale_and_zero_spread_maps_to_pooled_mean():
    spiky = scored("R1", [("A1", "1"), ("A2", "1"), ("A3", "1"), ("A4", "1"), ("A5", "5")])
    flat = scored("R2", [(f"B{i}", "5") for i in range(5)])
    result = calibrate(spiky + flat, low=1, high=5)
    # Pool: mean (4 + 5 + 25) / 10 = 3.4; squared deviations 4 * 2.4^2 + 6 * 1.6^2
    # = 23.04 + 15.36 = 38.4, variance 3.84, spread 1.95959...
    # R1: mean 1.8, variance (4 * 0.64 + 10.24) / 5 = 2.56, spread 1.6.
    #   1 -> z -0.5 -> 3.4 - 0.97980 = 2.4202 -> 2.42
    #   5 -> z  2.0 -> 3.4 + 3.91918 = 7.32 -> clipped to 5.00
    # R2 gave everyone 5: spread 0, every review maps to the pooled mean 3.40.
    assert [s.composite for s in result.reviews] == [D("2.42")] * 4 + [D("5.00")] + [D("3.40")] * 5
    mirrored = scored("R1", [("A1", "5"), ("A2", "5"), ("A3", "5"), ("A4", "5"), ("A5", "1")])
    floor = scored("R2", [(f"B{i}", "1") for i in range(5)])
    # Mirror image: pool mean 2.6, R1's 1 -> 2.6 - 3.91918 = -1.32 -> clipped to 1.00.
    result = calibrate(mirrored + floor, low=1, high=5)
    assert result.reviews[4].composite == D("1.00")
    assert result.reviews[0].composite == D("3.58")  # 2.6 + 0.97980 = 3.5798


def test_calibrate_nothing_to_calibrate_is_empty():
    assert calibrate([], low=1, high=5).applications == {}


def test_flag_disagreements_more_than_threshold():
    reviews = scored("R1", [("A1", "4.17"), ("A2", "3.00"), ("A3", "4.00")]) + scored(
        "R2", [("A1", "2.13"), ("A2", "5.00"), ("A3", "3.50")]
    )
    # A1: 4.17 - 2.13 = 2.04 > 2.00, flagged; A2: 5.00 - 3.00 = 2.00, not more than 2.00;
    # A3: 0.50.
    assert flag_disagreements(reviews, threshold=D("2.00")) == {"A1": D("2.04")}
    assert flag_disagreements(reviews, threshold=D("0.49")) == {
        "A1": D("2.04"),
        "A2": D("2.00"),
        "A3": D("0.50"),
    }
