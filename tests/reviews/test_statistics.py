from decimal import Decimal as D

import pytest

from clerkship.reviews.ranking.scoring import Criterion, Review, Rubric, ScoredReview
from clerkship.reviews.ranking.statistics import (
    Agreement,
    GroupSummary,
    ReviewerProfile,
    Subject,
    compare_groups,
    compute_alpha,
    measure_agreement,
    profile_reviewers,
)

# Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. University of
# Pennsylvania, Annenberg School for Communication, Departmental Papers (ASC) 43,
# section C: four observers, twelve units, values 1-5, with missing data. Published
# results: nominal 0.743, ordinal 0.815, interval 0.849.
CANONICAL = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


@pytest.mark.parametrize(
    ("level", "published"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)]
)
def test_compute_alpha_matches_krippendorff_2011_example(level, published):
    agreement = compute_alpha(CANONICAL, level=level)
    assert round(agreement.alpha, 3) == published
    # Unit 12 holds a single value and is not pairable; the other eleven hold
    # 3 + 8 * 4 + 3 + 2 = 40 values (the paper's n = 40).
    assert agreement.pairable == 40
    assert agreement.reason is None


def test_compute_alpha_hand_computed_ordinal():
    # Units A1 {1, 2}, A2 {2, 3}, A3 {3, 3}: n = 6, n1 = 1, n2 = 2, n3 = 3.
    # Ordinal distances: d12 = (3/2)^2 = 2.25, d23 = (5/2)^2 = 6.25, d13 = (6 - 2)^2 = 16.
    # Coincidences o12 = o21 = o23 = o32 = 1, o33 = 2: sum o*d = 2*2.25 + 2*6.25 = 17.
    # Expected: sum nc*nk*d = 2*(1*2*2.25 + 2*3*6.25 + 1*3*16) = 180.
    # alpha = 1 - (n - 1) * 17 / 180 = 1 - 85/180 = 19/36 = 0.5278
    agreement = compute_alpha([[1, 2, 3], [2, 3, 3]], value_domain=range(1, 6))
    assert round(agreement.alpha, 4) == 0.5278
    assert agreement.pairable == 6


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ([], Agreement(None, 0, "no reviews")),
        ([[1, 2, None]], Agreement(None, 0, "no application was scored by two reviewers")),
        (
            [[1, None, 4], [None, 2, None]],
            Agreement(None, 0, "no application was scored by two reviewers"),
        ),
        ([[3, 3, 5], [3, 3, None]], Agreement(None, 4, "every pairable value is the same")),
    ],
)
def test_compute_alpha_too_little_data_gives_reason(data, expected):
    assert compute_alpha(data) == expected


def test_measure_agreement_per_criterion():
    rubric = Rubric((Criterion("clinical", 2), Criterion("communication", 1)))
    reviews = [
        Review("A1", "R1", {"clinical": 1, "communication": 4}),
        Review("A1", "R2", {"clinical": 2, "communication": None}),
        Review("A2", "R1", {"clinical": 2, "communication": 4}),
        Review("A2", "R2", {"clinical": 3, "communication": 5}),
        Review("A3", "R1", {"clinical": 3}),
        Review("A3", "R2", {"clinical": 3}),
    ]
    result = measure_agreement(rubric, reviews)
    # clinical is the hand-computed example above; communication has one pairable
    # application only, A2 {4, 5}, whose two values differ: alpha = 1 - (2-1)*2d/(2d) = 0.
    assert round(result["clinical"].alpha, 4) == 0.5278
    assert result["communication"] == Agreement(0.0, 2)


def test_profile_reviewers_mean_and_population_spread():
    scored = [
        ScoredReview("A1", "R1", D("2.90")),
        ScoredReview("A2", "R1", D("3.50")),
        ScoredReview("A3", "R1", D("3.80")),
        ScoredReview("A4", "R1", D("4.10")),
        ScoredReview("A5", "R1", D("4.70")),
        ScoredReview("A1", "R2", D("3.00")),
        ScoredReview("A2", "R2", D("4.00")),
    ]
    # R1: mean 19.0 / 5 = 3.8; variance (0.81 + 0.09 + 0 + 0.09 + 0.81) / 5 = 0.36 -> 0.6.
    # R2: mean 3.5; deviations -0.5, 0.5, variance 0.25 -> 0.5.
    assert profile_reviewers(scored) == {
        "R1": ReviewerProfile("R1", 5, D("3.80"), D("0.60")),
        "R2": ReviewerProfile("R2", 2, D("3.50"), D("0.50")),
    }


def subjects(group, scores, selected):
    return [Subject(group, D(score), i < selected) for i, score in enumerate(scores)]


PATHWAY = subjects("pathway", ["4.50", "4.00", "1.50", "2.80", "3.20", "3.60"], selected=2)
OTHER = subjects(
    "other", ["5.00", "4.80", "4.20", "4.00", "3.50", "3.00", "2.50", "2.00"], selected=4
)
SMALL = subjects("small", ["5.00", "4.00", "3.00"], selected=3)
TINY = subjects("tiny", ["4.00", "2.00"], selected=1)


def test_compare_groups_distributions_rates_and_four_fifths():
    result = compare_groups(PATHWAY + OTHER + SMALL + TINY)
    assert result == (
        GroupSummary(
            "other",
            suppressed=False,
            count=8,
            mean=D("3.63"),  # 29.00 / 8 = 3.625, half up
            median=D("3.75"),  # (3.50 + 4.00) / 2
            histogram=(0, 2, 2, 4),  # [1,2) [2,3) [3,4) [4,5]
            selected=4,
            selection_rate=D("0.5000"),
            rate_ratio=D("1.0000"),
            below_four_fifths=False,
        ),
        GroupSummary(
            "pathway",
            suppressed=False,
            count=6,
            mean=D("3.27"),  # 19.60 / 6 = 3.2666...
            median=D("3.40"),  # (3.20 + 3.60) / 2
            histogram=(1, 1, 2, 2),
            selected=2,
            selection_rate=D("0.3333"),  # 2 / 6
            rate_ratio=D("0.6667"),  # (1/3) / (1/2) = 2/3 < 4/5
            below_four_fifths=True,
        ),
        # Three and two members: nothing at all is shown, not even how many.
        GroupSummary("small", suppressed=True),
        GroupSummary("tiny", suppressed=True),
    )


def test_compare_groups_ratio_of_exactly_four_fifths_not_flagged():
    two_of_five = subjects("a", ["3"] * 5, selected=2)
    half = subjects("b", ["3"] * 6, selected=3)
    a, b = compare_groups(two_of_five + half)
    # (2/5) / (1/2) = 4/5 exactly: not below four-fifths.
    assert (a.rate_ratio, a.below_four_fifths) == (D("0.8000"), False)
    assert (b.rate_ratio, b.below_four_fifths) == (D("1.0000"), False)


def test_compare_groups_hides_the_next_smallest_beside_a_lone_small_group():
    # Shown beside the number ranked (11), the other group's 8 would reveal the small 3.
    assert compare_groups(OTHER + SMALL) == (
        GroupSummary("other", suppressed=True),
        GroupSummary("small", suppressed=True),
    )


def test_compare_groups_one_group_left_after_suppression_has_no_ratio():
    other, small, tiny = compare_groups(OTHER + SMALL + TINY)
    assert (small, tiny) == (
        GroupSummary("small", suppressed=True),
        GroupSummary("tiny", suppressed=True),
    )
    assert (other.selection_rate, other.rate_ratio, other.below_four_fifths) == (
        D("0.5000"),
        None,
        None,
    )


def test_compare_groups_min_group_size_configurable():
    result = compare_groups(PATHWAY + OTHER + SMALL, min_group_size=3)
    small = result[2]
    assert (small.suppressed, small.count, small.selection_rate) == (False, 3, D("1.0000"))
    # The small group now has the top rate, 1: other 0.5, pathway 1/3.
    assert [g.rate_ratio for g in result] == [D("0.5000"), D("0.3333"), D("1.0000")]
    assert [g.below_four_fifths for g in result] == [True, True, False]
    result = compare_groups(PATHWAY + OTHER, min_group_size=7)
    assert [g.suppressed for g in result] == [True, True]  # 6 hidden, and 8 as its complement


def test_compare_groups_nobody_selected_has_no_ratio():
    result = compare_groups(subjects("a", ["3"] * 5, 0) + subjects("b", ["4"] * 5, 0))
    assert [(g.selection_rate, g.rate_ratio) for g in result] == [
        (D("0.0000"), None),
        (D("0.0000"), None),
    ]


def test_compare_groups_score_outside_edges_refused():
    with pytest.raises(ValueError) as error:
        compare_groups(subjects("a", ["5.50"], 0))
    assert str(error.value) == "score 5.50 is outside 1-5"
