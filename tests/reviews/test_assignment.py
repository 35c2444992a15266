import itertools
import random

import pytest

from clerkship.reviews.assignment.engine import Assignment, Pair, Reviewer, assign_reviewers


def build(seed, *, apps, reviewers, conflict_rate, existing_rate=0.0, caps=(None,)):
    """A seeded random instance: (applications, reviewers, conflicts, existing)."""
    rng = random.Random(seed)
    applications = [f"A{i:03d}" for i in range(apps)]
    people = [Reviewer(f"R{j:02d}", cap=rng.choice(caps)) for j in range(reviewers)]
    conflicts = [
        Pair(a, r.id) for a in applications for r in people if rng.random() < conflict_rate
    ]
    declared = set(conflicts)
    existing = [
        Pair(a, r.id)
        for a in applications
        for r in people
        if Pair(a, r.id) not in declared and rng.random() < existing_rate
    ]
    return applications, people, conflicts, existing


def check_invariants(result, applications, people, conflicts, existing, k):
    """Assert everything the result promises whatever the instance."""
    new = set(result.new)
    assert len(new) == len(result.new)
    assert new.isdisjoint(conflicts)
    assert new.isdisjoint(existing)
    everything = new | set(existing)
    for r in people:
        load = sum(1 for p in everything if p.reviewer == r.id)
        assert result.loads[r.id] == load
        if r.cap is not None and any(p.reviewer == r.id for p in new):
            assert load <= r.cap
    for a in applications:
        count = sum(1 for p in everything if p.application == a)
        if a in result.uncovered:
            assert count < k
            # The reason is a certificate: no reviewer who could still be added has room.
            addable = [
                r
                for r in people
                if Pair(a, r.id) not in set(conflicts) and Pair(a, r.id) not in everything
            ]
            assert all(r.cap is not None and result.loads[r.id] >= r.cap for r in addable)
        else:
            assert count >= k
            assert count == k or not any(p.application == a for p in new)


def uncapped_gap(loads, people):
    uncapped = [loads[r.id] for r in people if r.cap is None]
    return max(uncapped) - min(uncapped) if uncapped else 0


def brute_force(applications, people, conflicts, existing, k):
    """Every possible set of new assignments that respects caps: (count, loads) each."""
    base = {r.id: sum(1 for p in existing if p.reviewer == r.id) for r in people}
    options = []
    for a in applications:
        fixed = sum(1 for p in existing if p.application == a)
        allowed = [
            r.id
            for r in people
            if Pair(a, r.id) not in set(conflicts) and Pair(a, r.id) not in set(existing)
        ]
        need = max(0, k - fixed)
        options.append(
            [c for size in range(need + 1) for c in itertools.combinations(allowed, size)]
        )
    caps = {r.id: r.cap for r in people}
    found = []
    for choice in itertools.product(*options):
        load = dict(base)
        for reviewers in choice:
            for r in reviewers:
                load[r] += 1
        if all(caps[r] is None or load[r] <= max(caps[r], base[r]) for r in load):
            found.append((sum(len(c) for c in choice), load))
    return found


SMALL = {"apps": 4, "reviewers": 3, "conflict_rate": 0.3, "existing_rate": 0.15}
SHAPES = [
    dict(SMALL, caps=(None, None, 0, 1, 2, 3, 5)),
    # Roomy caps and many conflicts: the first balancing pass often leaves uncapped
    # reviewers two apart, so the banded search of the module docstring has to run.
    dict(SMALL, reviewers=4, conflict_rate=0.45, existing_rate=0.1, caps=(None, None, 4, 6)),
]


@pytest.mark.parametrize("shape", SHAPES)
def test_assign_reviewers_small_instances_match_brute_force(shape):
    for seed in range(600):
        applications, people, conflicts, existing = build(seed, **shape)
        k = 1 + seed % 2
        result = assign_reviewers(applications, people, conflicts=conflicts, existing=existing, k=k)
        check_invariants(result, applications, people, conflicts, existing, k)
        found = brute_force(applications, people, conflicts, existing, k)
        most = max(count for count, _ in found)
        assert len(result.new) == most
        wanted = sum(max(0, k - sum(p.application == a for p in existing)) for a in applications)
        if most < wanted:
            continue  # balance is promised for the coverage chosen, checked below when full
        best = [load for count, load in found if count == most]
        banded = [load for load in best if uncapped_gap(load, people) <= 1]
        squares = min(sum(x * x for x in load.values()) for load in banded or best)
        if banded:
            assert uncapped_gap(result.loads, people) <= 1
        assert sum(x * x for x in result.loads.values()) == squares


@pytest.mark.parametrize("seed", range(40))
def test_assign_reviewers_random_instances_keep_invariants(seed):
    applications, people, conflicts, _ = build(
        seed, apps=150, reviewers=12, conflict_rate=0.05, caps=(None, None, None, 10, 30)
    )
    result = assign_reviewers(applications, people, conflicts=conflicts, k=2)
    check_invariants(result, applications, people, conflicts, [], 2)
    assert result.uncovered == {}
    assert len(result.new) == 300
    assert uncapped_gap(result.loads, people) <= 1


@pytest.mark.parametrize("seed", range(10))
def test_assign_reviewers_random_instances_with_existing_keep_invariants(seed):
    applications, people, conflicts, existing = build(
        seed, apps=120, reviewers=10, conflict_rate=0.1, existing_rate=0.05, caps=(None, 25)
    )
    result = assign_reviewers(applications, people, conflicts=conflicts, existing=existing, k=3)
    check_invariants(result, applications, people, conflicts, existing, 3)
    assert result.uncovered == {}
    assert uncapped_gap(result.loads, people) <= 1


def test_assign_reviewers_too_few_reviewers_without_conflict_explained():
    people = [Reviewer(f"R{j}") for j in range(1, 5)]
    conflicts = [Pair("A1", "R1"), Pair("A1", "R2"), Pair("A1", "R3")]
    result = assign_reviewers(["A1", "A2"], people, conflicts=conflicts)
    assert result.uncovered == {
        "A1": "only 1 reviewer without a conflict: 3 of 4 reviewers declared or have a conflict"
    }
    assert [p for p in result.new if p.application == "A1"] == [Pair("A1", "R4")]


def test_assign_reviewers_no_reviewer_without_conflict_explained():
    people = [Reviewer("R1"), Reviewer("R2")]
    conflicts = [Pair("A1", "R1"), Pair("A1", "R2")]
    result = assign_reviewers(["A1"], people, conflicts=conflicts, k=1)
    assert result == Assignment(
        new=(),
        loads={"R1": 0, "R2": 0},
        uncovered={
            "A1": "no reviewer without a conflict: 2 of 2 reviewers declared or have a conflict"
        },
    )


def test_assign_reviewers_all_reviewers_at_cap_explained():
    people = [Reviewer("R1", cap=1), Reviewer("R2", cap=1)]
    result = assign_reviewers(["A1", "A2", "A3"], people, k=1)
    assert result == Assignment(
        new=(Pair("A1", "R1"), Pair("A2", "R2")),
        loads={"R1": 1, "R2": 1},
        uncovered={"A3": "every reviewer without a conflict is at their cap"},
    )


def test_assign_reviewers_other_reviewers_at_cap_explained():
    people = [Reviewer("R1"), Reviewer("R2", cap=0)]
    result = assign_reviewers(["A1"], people, k=2)
    assert result.new == (Pair("A1", "R1"),)
    assert result.uncovered == {"A1": "every other reviewer without a conflict is at their cap"}


def test_assign_reviewers_hands_an_application_along_to_cover_another():
    # A3 can only have R2; A1 takes R1 greedily, which A2 then needs: the repair
    # moves A1 from R1 to R3 so that A2 can have R1.
    people = [Reviewer("R1", cap=1), Reviewer("R2", cap=1), Reviewer("R3", cap=1)]
    conflicts = [Pair("A1", "R2"), Pair("A2", "R3"), Pair("A3", "R1"), Pair("A3", "R3")]
    result = assign_reviewers(["A1", "A2", "A3"], people, conflicts=conflicts, k=1)
    assert result == Assignment(
        new=(Pair("A1", "R3"), Pair("A2", "R1"), Pair("A3", "R2")),
        loads={"R1": 1, "R2": 1, "R3": 1},
        uncovered={},
    )


def test_assign_reviewers_existing_assignments_kept_and_counted():
    people = [Reviewer("R1"), Reviewer("R2"), Reviewer("R3")]
    existing = [Pair("A1", "R1"), Pair("A1", "R2"), Pair("A2", "R1")]
    result = assign_reviewers(["A1", "A2", "A3"], people, existing=existing, k=2)
    # A1 is already full; A2 needs one more and A3 two, given to the lightest reviewers.
    assert result == Assignment(
        new=(Pair("A2", "R3"), Pair("A3", "R2"), Pair("A3", "R3")),
        loads={"R1": 2, "R2": 2, "R3": 2},
        uncovered={},
    )


def test_assign_reviewers_unavoidable_gap_from_existing_load_kept_smallest():
    people = [Reviewer("R1"), Reviewer("R2"), Reviewer("R3")]
    existing = [Pair(f"B{i}", "R1") for i in range(4)]
    applications = [f"B{i}" for i in range(4)] + ["C1", "C2", "C3", "C4"]
    conflicts = [Pair(c, "R1") for c in ["C1", "C2", "C3", "C4"]]
    result = assign_reviewers(applications, people, conflicts=conflicts, existing=existing, k=1)
    assert result.loads == {"R1": 4, "R2": 2, "R3": 2}


def conflicts_forcing(forced, shared):
    """B0.. only R1 may review (forced of them); D0.. only R2 and capped C1 (shared)."""
    bs = [f"B{i}" for i in range(forced)]
    ds = [f"D{i}" for i in range(shared)]
    conflicts = [Pair(b, r) for b in bs for r in ("R2", "C1")] + [Pair(d, "R1") for d in ds]
    return bs + ds, conflicts


def test_assign_reviewers_uncapped_balance_beats_overall_evenness():
    # R1 has 4 whatever happens. The most even loads overall would be R1 4, R2 2, C1 2,
    # but the uncapped reviewers can be kept within one: R2 3, and C1 the 1 left.
    people = [Reviewer("R1"), Reviewer("R2"), Reviewer("C1", cap=100)]
    applications, conflicts = conflicts_forcing(4, 4)
    result = assign_reviewers(applications, people, conflicts=conflicts, k=1)
    assert result.loads == {"C1": 1, "R1": 4, "R2": 3}
    assert result.uncovered == {}


def test_assign_reviewers_unavoidable_gap_spreads_evenly_over_all():
    # R1 has 6 and R2 at most 4, so no band of one exists: C1 is not starved to narrow
    # the gap, R2 and C1 share the D applications evenly.
    people = [Reviewer("R1"), Reviewer("R2"), Reviewer("C1", cap=100)]
    applications, conflicts = conflicts_forcing(6, 4)
    result = assign_reviewers(applications, people, conflicts=conflicts, k=1)
    assert result.loads == {"C1": 2, "R1": 6, "R2": 2}


def test_assign_reviewers_equal_input_gives_equal_output():
    applications, people, conflicts, existing = build(
        7, apps=80, reviewers=9, conflict_rate=0.1, existing_rate=0.03, caps=(None, 12)
    )
    first = assign_reviewers(applications, people, conflicts=conflicts, existing=existing)
    again = assign_reviewers(applications, people, conflicts=conflicts, existing=existing)
    shuffled = random.Random(1)
    applications.reverse()
    shuffled.shuffle(people)
    shuffled.shuffle(conflicts)
    reordered = assign_reviewers(applications, people, conflicts=conflicts, existing=existing)
    assert again == first
    assert reordered == first


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k": 0}, "k must be at least 1, not 0"),
        ({"conflicts": [Pair("A9", "R1")]}, "conflict A9/R1: unknown application"),
        ({"existing": [Pair("A1", "R9")]}, "existing assignment A1/R9: unknown reviewer"),
        (
            {"existing": [Pair("A1", "R1"), Pair("A1", "R1")]},
            "existing assignment A1/R1 is listed twice",
        ),
        (
            {"existing": [Pair("A1", "R1")], "conflicts": [Pair("A1", "R1")]},
            "existing assignment A1/R1 is a declared conflict",
        ),
    ],
)
def test_assign_reviewers_bad_input_refused(kwargs, message):
    with pytest.raises(ValueError) as error:
        assign_reviewers(["A1"], [Reviewer("R1"), Reviewer("R2")], **kwargs)
    assert str(error.value) == message


def test_assign_reviewers_duplicate_ids_refused():
    with pytest.raises(ValueError) as error:
        assign_reviewers(["A1", "A1"], [Reviewer("R1")])
    assert str(error.value) == "application A1 is listed twice"
    with pytest.raises(ValueError) as error:
        assign_reviewers(["A1"], [Reviewer("R1"), Reviewer("R1", cap=-1)])
    assert str(error.value) == "reviewer R1 is listed twice"
    with pytest.raises(ValueError) as error:
        assign_reviewers(["A1"], [Reviewer("R1", cap=-1)])
    assert str(error.value) == "reviewer R1 has a negative cap (-1)"
