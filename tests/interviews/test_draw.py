import random
from collections import Counter

import pytest

from clerkship.interviews.draw.engine import Day, Draw, Invitee, draw_days, new_seed

DAYS = [Day("D1", 1), Day("D2", 2), Day("U1", 1, reserved=True)]
INVITEES = [
    Invitee("I1", True, ("U1", "D1")),
    Invitee("I2", False, ("U1", "D2", "D1")),
    Invitee("I3", True, ("D2", "U1")),
    Invitee("I4", False, ("D1",)),
    Invitee("I5", True, ("U1", "D2")),
]


def build(seed, invitees=300, days=8):
    """A seeded random season: days (some reserved), invitees, bookings so far."""
    rng = random.Random(seed)
    schedule = [Day(f"D{j:02d}", rng.randint(0, 40), reserved=j < 2) for j in range(days)]
    people = [
        Invitee(
            f"I{i:04d}",
            rng.random() < 0.3,
            tuple(rng.sample([d.id for d in schedule], rng.randint(0, days))),
        )
        for i in range(invitees)
    ]
    booked = {d.id: rng.randint(0, 5) for d in schedule if rng.random() < 0.5}
    return schedule, people, booked


def test_draw_days_hand_checked_example():
    result = draw_days(DAYS, INVITEES, seed=42, booked={"D2": 1})
    # random.Random(42) shuffles I1..I5 into I4, I2, I3, I5, I1. Room: D1 1, D2 2 - 1 = 1,
    # U1 1 (reserved).
    #   I4 -> D1, its only day (D1 now full)
    #   I2 -> U1 ignored (not in the pathway), D2 (now full)
    #   I3 -> D2 full, U1 (in the pathway; now full)
    #   I5 -> U1 full, D2 full: nothing
    #   I1 -> U1 full, D1 full: nothing
    assert result == Draw(
        seed=42,
        order=("I4", "I2", "I3", "I5", "I1"),
        assignment={"I4": "D1", "I2": "D2", "I3": "U1", "I5": None, "I1": None},
    )


def test_draw_days_replay_gives_identical_result():
    days, people, booked = build(1)
    seed = new_seed()
    assert draw_days(days, people, seed=seed, booked=booked) == draw_days(
        days, people, seed=seed, booked=booked
    )


def test_draw_days_input_order_does_not_matter():
    days, people, booked = build(2)
    first = draw_days(days, people, seed=99, booked=booked)
    rng = random.Random(3)
    rng.shuffle(days)
    rng.shuffle(people)
    assert draw_days(days, people, seed=99, booked=dict(reversed(booked.items()))) == first


def test_draw_days_different_seeds_give_different_orders():
    days, people, _ = build(4)
    assert draw_days(days, people, seed=1).order != draw_days(days, people, seed=2).order


@pytest.mark.parametrize("seed", range(20))
def test_draw_days_random_seasons_keep_rules(seed):
    days, people, booked = build(seed)
    result = draw_days(days, people, seed=seed, booked=booked)
    by_id = {d.id: d for d in days}
    person = {p.id: p for p in people}
    assert sorted(result.order) == sorted(person)
    assert set(result.assignment) == set(person)
    for day in days:
        taken = sum(1 for d in result.assignment.values() if d == day.id)
        assert taken <= max(0, day.capacity - booked.get(day.id, 0))
    for invitee_id, day_id in result.assignment.items():
        if day_id is None:
            continue
        assert day_id in person[invitee_id].ranking
        assert person[invitee_id].in_pathway or not by_id[day_id].reserved
    # Serial dictatorship: each invitee got the best day still open at their turn, so
    # any day they ranked higher and could book was full by then.
    room = {d.id: max(0, d.capacity - booked.get(d.id, 0)) for d in days}
    for invitee_id in result.order:
        invitee, got = person[invitee_id], result.assignment[invitee_id]
        better = invitee.ranking if got is None else invitee.ranking[: invitee.ranking.index(got)]
        for day_id in better:
            assert room[day_id] == 0 or (by_id[day_id].reserved and not invitee.in_pathway)
        if got is not None:
            room[got] -= 1


def test_draw_days_reserved_day_never_given_outside_pathway():
    days = [Day("U1", 5, reserved=True), Day("D1", 1)]
    people = [Invitee(f"I{i}", False, ("U1", "D1")) for i in range(3)]
    result = draw_days(days, people, seed=5)
    # U1 has five free seats, but none of them may go to these invitees.
    assert Counter(result.assignment.values()) == Counter({"D1": 1, None: 2})


def test_draw_days_unranked_day_never_assigned():
    days = [Day("D1", 10), Day("D2", 10)]
    result = draw_days(days, [Invitee("I1", True, ("D2",)), Invitee("I2", False, ())], seed=0)
    assert result.assignment == {"I1": "D2", "I2": None}


def test_draw_days_booked_past_capacity_leaves_no_room():
    result = draw_days([Day("D1", 2)], [Invitee("I1", True, ("D1",))], seed=0, booked={"D1": 3})
    assert result.assignment == {"I1": None}


@pytest.mark.parametrize(
    ("days", "invitees", "kwargs", "message"),
    [
        ([Day("D1", 1), Day("D1", 2)], [], {}, "day D1 is listed twice"),
        ([Day("D1", -1)], [], {}, "day D1: negative capacity (-1)"),
        ([Day("D1", 1)], [Invitee("I1", True, ("D9",))], {}, "invitee I1 ranks unknown day D9"),
        (
            [Day("D1", 1)],
            [Invitee("I1", True, ("D1", "D1"))],
            {},
            "invitee I1 ranks day D1 twice",
        ),
        (
            [Day("D1", 1)],
            [Invitee("I1", True, ()), Invitee("I1", False, ())],
            {},
            "invitee I1 is listed twice",
        ),
        ([Day("D1", 1)], [], {"booked": {"D9": 1}}, "bookings for unknown day D9"),
        ([Day("D1", 1)], [], {"booked": {"D1": -2}}, "day D1: negative bookings (-2)"),
        ([Day("D1", 1)], [], {"seed": "42"}, "seed must be an integer, not '42'"),
    ],
)
def test_draw_days_bad_input_refused(days, invitees, kwargs, message):
    with pytest.raises(ValueError) as error:
        draw_days(days, invitees, **{"seed": 1, **kwargs})
    assert str(error.value) == message


def test_new_seed_is_a_64_bit_integer():
    seed = new_seed()
    assert type(seed) is int
    assert 0 <= seed < 2**64
