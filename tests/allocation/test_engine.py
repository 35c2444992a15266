"""The allocation engine against docs/allocation.md §1-4.

Properties are checked on many small random instances against oracles written
here from the spec's wording (a seat-by-seat Ch_b, brute-force enumeration of
stable matchings, a one-proposal-at-a-time deferred acceptance), not against the
engine's own helpers.
"""

from __future__ import annotations

import random
from decimal import Decimal
from itertools import permutations

import pytest
from matching.games import HospitalResident

from clerkship.allocation import synthetic
from clerkship.allocation.checks import Violation, ViolationKind, check_allocation
from clerkship.allocation.engine import (
    Allocation,
    Block,
    Precedence,
    SeatType,
    Student,
    choose,
    hundredths,
    priority_key,
    solve,
)
from clerkship.allocation.interchange import parse_instance

OPEN, RESERVED, CONVERTED = SeatType.OPEN, SeatType.RESERVED, SeatType.CONVERTED
MODES = [
    pytest.param(precedence, hard, id=f"{precedence.value}-{'hard' if hard else 'soft'}")
    for precedence in Precedence
    for hard in (False, True)
]
SEEDS = range(250)


# --- oracles written from the spec's wording -------------------------------------


def literal_choice(block, applicants, precedence, hard):
    """Ch_b as spec §2 words it: sort by priority, then fill the seats one at a time."""
    remaining = sorted(applicants, key=lambda s: (-s.block_scores.get(block.id, s.score), s.id))
    open_seats = [OPEN] * (block.capacity - block.reserved)
    reserved_seats = [RESERVED] * block.reserved
    if precedence is Precedence.OPEN_FIRST:
        seats = open_seats + reserved_seats
    else:
        seats = reserved_seats + open_seats
    chosen = {}
    for seat in seats:
        if seat is OPEN and remaining:
            chosen[remaining.pop(0).id] = OPEN
            continue
        pathway = [s for s in remaining if s.uim]
        if seat is RESERVED and pathway:
            remaining.remove(pathway[0])
            chosen[pathway[0].id] = RESERVED
        elif seat is RESERVED and remaining and not hard:
            chosen[remaining.pop(0).id] = CONVERTED
    return chosen


class Oracle:
    """Brute-force facts about one small instance under one precedence and reserve mode."""

    def __init__(self, blocks, students, precedence, hard):
        self.blocks = {block.id: block for block in blocks}
        self.students = students
        self.precedence, self.hard = precedence, hard
        self._choices = {}

    def choice(self, block_id, applicants):
        key = (block_id, frozenset(s.id for s in applicants))
        if key not in self._choices:
            self._choices[key] = literal_choice(
                self.blocks[block_id], applicants, self.precedence, self.hard
            )
        return self._choices[key]

    def members(self, assignment):
        held = {block_id: [] for block_id in self.blocks}
        for student in self.students:
            if assignment[student.id] is not None:
                held[assignment[student.id]].append(student)
        return held

    def blocking_pairs(self, assignment):
        """Pairs (s, b): s ranks b above her assignment and s is in Ch_b(μ(b) + s)."""
        held = self.members(assignment)
        for student in self.students:
            placed = assignment[student.id]
            above = student.ranking if placed is None else student.ranking[: rank(student, placed)]
            for block_id in above:
                if student.id in self.choice(block_id, [*held[block_id], student]):
                    yield (student.id, block_id)

    def is_stable(self, assignment):
        """Individually rational (Ch_b(μ(b)) = μ(b), hence feasible) with no blocking pair."""
        for block_id, members in self.members(assignment).items():
            if len(self.choice(block_id, members)) != len(members):
                return False
        return next(self.blocking_pairs(assignment), None) is None

    def stable_matchings(self):
        """Every stable matching, by trying each student at nothing or each block she
        ranked (skipping blocks already full)."""
        found = []
        assignment = {}
        load = dict.fromkeys(self.blocks, 0)

        def extend(position):
            if position == len(self.students):
                if self.is_stable(assignment):
                    found.append(dict(assignment))
                return
            student = self.students[position]
            for option in (None, *student.ranking):
                if option is not None and load[option] == self.blocks[option].capacity:
                    continue
                assignment[student.id] = option
                if option is not None:
                    load[option] += 1
                extend(position + 1)
                if option is not None:
                    load[option] -= 1

        extend(0)
        return found

    def seats(self, assignment):
        """Seat labels Ch_b gives in each block's set (spec §3 step 3)."""
        seat = dict.fromkeys(assignment)
        for block_id, members in self.members(assignment).items():
            seat.update(self.choice(block_id, members))
        return seat


def literal_deferred_acceptance(blocks, students, precedence, hard, rng):
    """Spec §3 one proposal at a time, the proposer drawn at random among those who can."""
    by_block = {block.id: block for block in blocks}
    held = {block.id: [] for block in blocks}
    holder = {s.id: None for s in students}
    tried = {s.id: 0 for s in students}
    while True:
        proposers = [s for s in students if holder[s.id] is None and tried[s.id] < len(s.ranking)]
        if not proposers:
            break
        student = rng.choice(proposers)
        block_id = student.ranking[tried[student.id]]
        tried[student.id] += 1
        applicants = [*held[block_id], student]
        chosen = literal_choice(by_block[block_id], applicants, precedence, hard)
        held[block_id] = [s for s in applicants if s.id in chosen]
        for s in applicants:
            holder[s.id] = block_id if s.id in chosen else None
    seat = dict.fromkeys(holder)
    for block_id, members in held.items():
        seat.update(literal_choice(by_block[block_id], members, precedence, hard))
    return Allocation(assignment=holder, seat=seat)


def rank(student, block_id):
    """Position of a block in a student's ranking; anything unranked is worse than all."""
    if block_id in student.ranking:
        return student.ranking.index(block_id)
    return len(student.ranking)


def random_instance(seed):
    """2-3 blocks with small capacities and random reserves, 3-6 students with random
    pathway flags, truncated rankings, tied scores and some block scores."""
    rng = random.Random(seed)
    blocks = []
    for number in range(rng.randint(2, 3)):
        capacity = rng.choice([0, 1, 1, 1, 2, 3])
        blocks.append(Block(f"B{number}", capacity, rng.randint(0, capacity)))
    # Ids whose plain string order differs from their numeric order.
    ids = rng.sample(["S10", "S9", "S2", "S100", "s1", "T", "A7"], rng.randint(3, 6))
    scores = ["60", "70", "75", "80.5", "80.50", "85.25", "90", "99.99"]
    students = []
    for student_id in ids:
        length = len(blocks) if rng.random() < 0.9 else rng.randint(0, len(blocks))
        ranking = rng.sample([b.id for b in blocks], length)
        # Block scores make priorities differ between blocks, so that an instance can
        # have several stable matchings (common priorities give exactly one).
        block_scores = {
            block_id: Decimal(rng.choice(scores)) for block_id in ranking if rng.random() < 0.9
        }
        students.append(
            Student(
                id=student_id,
                uim=rng.random() < 0.4,
                ranking=tuple(ranking),
                score=Decimal(rng.choice(scores)),
                block_scores=block_scores,
            )
        )
    return blocks, students


def with_ranking(students, student_id, ranking):
    return [
        Student(s.id, s.uim, ranking, s.score, s.block_scores) if s.id == student_id else s
        for s in students
    ]


# --- the worked example of spec §2 -------------------------------------------------

WORKED_BLOCK = Block("X", capacity=3, reserved=1)
WORKED_STUDENTS = [
    Student("A", uim=True, ranking=("X",), score=Decimal(90)),
    Student("B", uim=False, ranking=("X",), score=Decimal(85)),
    Student("C", uim=False, ranking=("X",), score=Decimal(80)),
    Student("D", uim=True, ranking=("X",), score=Decimal(70)),
]


def test_choose_worked_example_open_first():
    chosen = choose(WORKED_BLOCK, WORKED_STUDENTS, precedence=Precedence.OPEN_FIRST, hard=False)
    assert chosen == {"A": OPEN, "B": OPEN, "D": RESERVED}


def test_choose_worked_example_reserved_first():
    chosen = choose(WORKED_BLOCK, WORKED_STUDENTS, precedence=Precedence.RESERVED_FIRST, hard=False)
    assert chosen == {"A": RESERVED, "B": OPEN, "C": OPEN}


def test_solve_worked_example_open_first():
    allocation = solve([WORKED_BLOCK], WORKED_STUDENTS)
    assert allocation == Allocation(
        assignment={"A": "X", "B": "X", "C": None, "D": "X"},
        seat={"A": OPEN, "B": OPEN, "C": None, "D": RESERVED},
    )


def test_solve_worked_example_reserved_first():
    allocation = solve([WORKED_BLOCK], WORKED_STUDENTS, precedence=Precedence.RESERVED_FIRST)
    assert allocation == Allocation(
        assignment={"A": "X", "B": "X", "C": "X", "D": None},
        seat={"A": RESERVED, "B": OPEN, "C": OPEN, "D": None},
    )


# --- priority and the choice function -----------------------------------------------


def test_priority_key_equal_scores_go_to_smaller_id_in_string_order():
    block = Block("X", capacity=1, reserved=0)
    students = [
        Student("S9", uim=False, ranking=("X",), score=Decimal("80.5")),
        Student("S10", uim=False, ranking=("X",), score=Decimal("80.50")),
    ]
    assert priority_key(students[1], "X") < priority_key(students[0], "X")
    assert choose(block, students, precedence=Precedence.OPEN_FIRST, hard=False) == {"S10": OPEN}


def test_priority_key_block_score_replaces_score_at_that_block():
    student = Student(
        "S1", uim=False, ranking=("X", "Y"), score=Decimal(70), block_scores={"Y": Decimal(95)}
    )
    assert priority_key(student, "X") == (Decimal("-70.00"), "S1")
    assert priority_key(student, "Y") == (Decimal("-95.00"), "S1")


def test_student_score_held_at_hundredths_rounding_half_away_from_zero():
    student = Student("S1", uim=False, ranking=(), score=Decimal("71.005"), block_scores={"X": -2})
    assert (student.score, student.block_scores) == (Decimal("71.01"), {"X": Decimal("-2.00")})
    assert hundredths(Decimal("-71.005")) == Decimal("-71.01")
    assert hundredths(Decimal("71.004")) == Decimal("71.00")


@pytest.mark.parametrize(
    ("bad", "error", "message"),
    [
        (71.5, TypeError, "a score must be a Decimal or an int, not float"),
        (True, TypeError, "a score must be a Decimal or an int, not bool"),
        ("71.5", TypeError, "a score must be a Decimal or an int, not str"),
        (Decimal("NaN"), ValueError, "a score must be finite, not NaN"),
        (Decimal("-Infinity"), ValueError, "a score must be finite, not -Infinity"),
        (Decimal("1E+30"), ValueError, "a score must be below 10^25 in magnitude, not 1E+30"),
    ],
)
def test_student_score_not_a_finite_decimal_or_int_raises(bad, error, message):
    with pytest.raises(error) as caught:
        Student("S1", uim=False, ranking=(), score=bad)
    assert str(caught.value) == message


def test_block_reserved_above_capacity_raises():
    with pytest.raises(ValueError) as caught:
        Block("X", capacity=2, reserved=3)
    assert str(caught.value) == (
        'block "X": need 0 <= reserved <= capacity, got reserved 3 and capacity 2'
    )


def test_student_block_twice_in_ranking_raises():
    with pytest.raises(ValueError) as caught:
        Student("S1", uim=False, ranking=("X", "Y", "X"), score=Decimal(1))
    assert str(caught.value) == 'student "S1": a block appears twice in the ranking'


def test_choose_hard_reserve_stays_empty_without_pathway_applicant():
    block = Block("X", capacity=2, reserved=1)
    students = [
        Student(f"S{i}", uim=False, ranking=("X",), score=Decimal(90 - i)) for i in range(3)
    ]
    for precedence in Precedence:
        assert choose(block, students, precedence=precedence, hard=True) == {"S0": OPEN}


def test_choose_applicant_listed_twice_counts_once():
    block = Block("X", capacity=2, reserved=0)
    student = Student("S1", uim=False, ranking=("X",), score=Decimal(80))
    chosen = choose(block, [student, student], precedence=Precedence.OPEN_FIRST, hard=False)
    assert chosen == {"S1": OPEN}


@pytest.mark.parametrize(("precedence", "hard"), MODES)
def test_choose_random_sets_equal_seat_by_seat_description(precedence, hard):
    for seed in SEEDS:
        rng = random.Random(seed)
        capacity = rng.randint(0, 5)
        block = Block("X", capacity, rng.randint(0, capacity))
        applicants = [
            Student(f"S{i}", rng.random() < 0.4, ("X",), Decimal(rng.choice([70, 80, 90])))
            for i in range(rng.randint(0, 8))
        ]
        chosen = choose(block, applicants, precedence=precedence, hard=hard)
        assert chosen == literal_choice(block, applicants, precedence, hard)


# --- the mechanism on random small instances (spec §4) ------------------------------


@pytest.mark.parametrize(("precedence", "hard"), MODES)
def test_solve_random_instances_feasible_and_stable(precedence, hard):
    for seed in SEEDS:
        blocks, students = random_instance(seed)
        allocation = solve(blocks, students, precedence=precedence, hard=hard)
        oracle = Oracle(blocks, students, precedence, hard)
        capacity = {block.id: block.capacity for block in blocks}
        for student in students:
            placed = allocation.assignment[student.id]
            assert placed is None or placed in student.ranking
            assert (placed is None) == (allocation.seat[student.id] is None)
            if allocation.seat[student.id] is RESERVED:
                assert student.uim
            if hard:
                assert allocation.seat[student.id] is not CONVERTED
        for block_id, members in oracle.members(allocation.assignment).items():
            assert len(members) <= capacity[block_id]
        assert oracle.is_stable(allocation.assignment)
        assert allocation.seat == oracle.seats(allocation.assignment)
        assert (
            check_allocation(
                blocks,
                students,
                allocation.assignment,
                allocation.seat,
                precedence=precedence,
                hard=hard,
            )
            == []
        )


@pytest.mark.parametrize(("precedence", "hard"), MODES)
def test_solve_random_instances_student_optimal(precedence, hard):
    # Several stable matchings are rare at this size (about one instance in 15), so
    # this property gets more instances than the others.
    for seed in range(1000):
        blocks, students = random_instance(seed)
        ours = solve(blocks, students, precedence=precedence, hard=hard).assignment
        stable = Oracle(blocks, students, precedence, hard).stable_matchings()
        assert stable.count(ours) == 1
        for other in stable:
            for student in students:
                assert rank(student, ours[student.id]) <= rank(student, other[student.id])


def test_solve_two_stable_matchings_gives_student_optimal_one():
    blocks = [Block("X", capacity=1, reserved=0), Block("Y", capacity=1, reserved=0)]
    students = [
        Student("S1", uim=False, ranking=("X", "Y"), score=Decimal(80), block_scores={"Y": 99}),
        Student("S2", uim=False, ranking=("Y", "X"), score=Decimal(70), block_scores={"X": 99}),
    ]
    oracle = Oracle(blocks, students, Precedence.OPEN_FIRST, False)
    assert oracle.stable_matchings() == [{"S1": "X", "S2": "Y"}, {"S1": "Y", "S2": "X"}]
    assert solve(blocks, students).assignment == {"S1": "X", "S2": "Y"}


@pytest.mark.parametrize(("precedence", "hard"), MODES)
def test_solve_random_instances_strategy_proof(precedence, hard):
    for seed in SEEDS:
        blocks, students = random_instance(seed)
        truthful = solve(blocks, students, precedence=precedence, hard=hard).assignment
        block_ids = [block.id for block in blocks]
        lies = [lie for size in range(len(block_ids) + 1) for lie in permutations(block_ids, size)]
        for student in students:
            for lie in lies:
                reported = with_ranking(students, student.id, lie)
                outcome = solve(blocks, reported, precedence=precedence, hard=hard).assignment
                assert rank(student, outcome[student.id]) >= rank(student, truthful[student.id])


@pytest.mark.parametrize(("precedence", "hard"), MODES)
def test_solve_random_instances_independent_of_proposal_order(precedence, hard):
    for seed in SEEDS:
        blocks, students = random_instance(seed)
        expected = solve(blocks, students, precedence=precedence, hard=hard)
        rng = random.Random(seed)
        for _ in range(3):
            shuffled_blocks = rng.sample(blocks, len(blocks))
            shuffled_students = rng.sample(students, len(students))
            allocation = solve(shuffled_blocks, shuffled_students, precedence=precedence, hard=hard)
            assert allocation == expected
            literal = literal_deferred_acceptance(blocks, students, precedence, hard, rng)
            assert literal == expected


@pytest.mark.parametrize(("precedence", "hard"), MODES)
def test_solve_converted_seat_only_when_no_pathway_student_prefers_block(precedence, hard):
    for seed in SEEDS:
        blocks, students = random_instance(seed)
        allocation = solve(blocks, students, precedence=precedence, hard=hard)
        converted = {
            allocation.assignment[s.id] for s in students if allocation.seat[s.id] is CONVERTED
        }
        for student in students:
            if student.uim:
                placed = rank(student, allocation.assignment[student.id])
                assert converted & set(student.ranking[:placed]) == set()


@pytest.mark.parametrize("precedence", list(Precedence))
def test_solve_synthetic_instance_passes_check_allocation(precedence):
    instance = parse_instance(synthetic.generate(400, seed=7, departments=("EM",), months=6))
    for hard in (False, True):
        allocation = solve(instance.blocks, instance.students, precedence=precedence, hard=hard)
        assert (
            check_allocation(
                instance.blocks,
                instance.students,
                allocation.assignment,
                allocation.seat,
                precedence=precedence,
                hard=hard,
            )
            == []
        )


# --- soft and hard reserves -----------------------------------------------------------


NO_PATHWAY = [
    Student("S1", uim=False, ranking=("X",), score=Decimal(90)),
    Student("S2", uim=False, ranking=("X",), score=Decimal(80)),
    Student("S3", uim=False, ranking=("X",), score=Decimal(70)),
]


@pytest.mark.parametrize("precedence", list(Precedence))
def test_solve_hard_reserves_leave_seat_empty_without_pathway_student(precedence):
    block = Block("X", capacity=2, reserved=1)
    allocation = solve([block], NO_PATHWAY, precedence=precedence, hard=True)
    assert allocation == Allocation(
        assignment={"S1": "X", "S2": None, "S3": None}, seat={"S1": OPEN, "S2": None, "S3": None}
    )


def test_solve_soft_reserves_convert_seat_without_pathway_student():
    block = Block("X", capacity=2, reserved=1)
    open_first = solve([block], NO_PATHWAY)
    reserved_first = solve([block], NO_PATHWAY, precedence=Precedence.RESERVED_FIRST)
    assert open_first == Allocation(
        assignment={"S1": "X", "S2": "X", "S3": None},
        seat={"S1": OPEN, "S2": CONVERTED, "S3": None},
    )
    assert reserved_first == Allocation(
        assignment={"S1": "X", "S2": "X", "S3": None},
        seat={"S1": CONVERTED, "S2": OPEN, "S3": None},
    )


def test_solve_soft_reserve_taken_back_from_converted_seat_by_later_pathway_student():
    block = Block("X", capacity=2, reserved=1)
    students = [*NO_PATHWAY, Student("U1", uim=True, ranking=("X",), score=Decimal(10))]
    allocation = solve([block], students)
    assert allocation == Allocation(
        assignment={"S1": "X", "S2": None, "S3": None, "U1": "X"},
        seat={"S1": OPEN, "S2": None, "S3": None, "U1": RESERVED},
    )


def test_solve_zero_capacity_block_takes_nobody():
    blocks = [Block("X", capacity=0, reserved=0), Block("Y", capacity=1, reserved=1)]
    students = [Student("U1", uim=True, ranking=("X", "Y"), score=Decimal(99))]
    assert solve(blocks, students) == Allocation(assignment={"U1": "Y"}, seat={"U1": RESERVED})


def test_solve_unknown_block_in_ranking_raises():
    students = [Student("S1", uim=False, ranking=("Y",), score=Decimal(1))]
    with pytest.raises(ValueError) as caught:
        solve([Block("X", 1, 0)], students)
    assert str(caught.value) == 'student "S1": ranking names unknown block "Y"'


def test_solve_duplicate_student_id_raises():
    students = [Student("S1", uim=False, ranking=(), score=Decimal(1))] * 2
    with pytest.raises(ValueError) as caught:
        solve([Block("X", 1, 0)], students)
    assert str(caught.value) == 'student "S1": duplicate student id'


def test_solve_duplicate_block_id_raises():
    with pytest.raises(ValueError) as caught:
        solve([Block("X", 1, 0), Block("X", 2, 0)], [])
    assert str(caught.value) == 'block "X": duplicate block id'


# --- without reserves: the classic hospital/residents matching ---------------------


def matching_package_assignment(blocks, students):
    """Student -> block from `matching`'s resident-optimal HospitalResident solver."""
    applicants = {block.id: [s for s in students if block.id in s.ranking] for block in blocks}
    hospital_prefs = {
        block_id: [s.id for s in sorted(ranked, key=lambda s, b=block_id: priority_key(s, b))]
        for block_id, ranked in applicants.items()
        if ranked
    }
    game = HospitalResident.create_from_dictionaries(
        {s.id: list(s.ranking) for s in students},
        hospital_prefs,
        {block.id: block.capacity for block in blocks if block.id in hospital_prefs},
    )
    result = game.solve(optimal="resident")
    assignment = dict.fromkeys((s.id for s in students), None)
    for hospital, residents in result.items():
        for resident in residents:
            assignment[resident.name] = hospital.name
    return assignment


@pytest.mark.parametrize(("precedence", "hard"), MODES)
def test_solve_without_reserves_equals_matching_hospital_resident(precedence, hard):
    for seed in range(30):
        rng = random.Random(seed)
        data = synthetic.generate(
            rng.randint(20, 150),
            seed=seed,
            departments=("EM", "IM"),
            months=rng.randint(2, 4),
            capacity=(1, 6),
            reserved=(0, 0),
            ranking_length=(1, 6),
            block_score_share=0.3,
        )
        instance = parse_instance(data)
        allocation = solve(instance.blocks, instance.students, precedence=precedence, hard=hard)
        expected = matching_package_assignment(instance.blocks, instance.students)
        assert allocation.assignment == expected
        assert [seat for seat in allocation.seat.values() if seat not in (OPEN, None)] == []


# --- check_allocation ---------------------------------------------------------------------


def check_worked(assignment, seat):
    return check_allocation(
        [WORKED_BLOCK],
        WORKED_STUDENTS,
        assignment,
        seat,
        precedence=Precedence.OPEN_FIRST,
        hard=False,
    )


def test_check_allocation_solve_output_has_no_violation():
    allocation = solve([WORKED_BLOCK], WORKED_STUDENTS)
    assert check_worked(allocation.assignment, allocation.seat) == []


def test_check_allocation_finds_planted_blocking_pairs():
    violations = check_worked(
        {"A": "X", "B": "X", "C": None, "D": None},
        {"A": "open", "B": "open", "C": None, "D": None},
    )
    assert violations == [
        Violation(
            ViolationKind.BLOCKING_PAIR,
            'blocking pair: student "C" prefers block "X" to no placement, '
            'and block "X" would take them',
            "C",
            "X",
        ),
        Violation(
            ViolationKind.BLOCKING_PAIR,
            'blocking pair: student "D" prefers block "X" to no placement, '
            'and block "X" would take them',
            "D",
            "X",
        ),
    ]


def test_check_allocation_finds_reserved_seat_held_by_non_pathway_student():
    violations = check_worked(
        {"A": "X", "B": "X", "C": None, "D": "X"},
        {"A": "open", "B": "reserved", "C": None, "D": "open"},
    )
    assert violations == [
        Violation(
            ViolationKind.RESERVED_NOT_UIM,
            'student "B" holds a reserved seat at block "X" but is not in the UIM pathway',
            "B",
            "X",
        )
    ]


def test_check_allocation_finds_block_over_capacity():
    violations = check_worked(
        {"A": "X", "B": "X", "C": "X", "D": "X"},
        {"A": "open", "B": "open", "C": "open", "D": "reserved"},
    )
    assert violations == [
        Violation(
            ViolationKind.OVER_CAPACITY,
            'block "X" holds 4 students but has capacity 3',
            block_id="X",
        )
    ]


def test_check_allocation_finds_too_many_reserved_labels():
    violations = check_worked(
        {"A": "X", "B": "X", "C": None, "D": "X"},
        {"A": "reserved", "B": "open", "C": None, "D": "reserved"},
    )
    assert violations == [
        Violation(
            ViolationKind.TOO_MANY_RESERVED,
            'block "X" has 2 seats labelled reserved or converted but reserves 1',
            block_id="X",
        )
    ]


def test_check_allocation_finds_placement_at_unranked_block():
    blocks = [Block("X", capacity=1, reserved=0), Block("Y", capacity=1, reserved=0)]
    students = [
        Student("A", uim=False, ranking=("X",), score=Decimal(90)),
        Student("B", uim=False, ranking=("X",), score=Decimal(80)),
    ]
    violations = check_allocation(
        blocks,
        students,
        {"A": "X", "B": "Y"},
        {"A": "open", "B": "open"},
        precedence=Precedence.OPEN_FIRST,
        hard=False,
    )
    assert violations == [
        Violation(
            ViolationKind.NOT_RANKED,
            'student "B" is placed at block "Y", which is not on their ranking',
            "B",
            "Y",
        )
    ]


def test_check_allocation_finds_unknown_student_and_block():
    violations = check_worked(
        {"A": "X", "B": "X", "C": "Z", "D": "X", "E": "X"},
        {"A": "open", "B": "open", "C": "open", "D": "reserved", "E": "open"},
    )
    assert violations == [
        Violation(ViolationKind.UNKNOWN_STUDENT, 'unknown student "E" is placed', "E"),
        Violation(
            ViolationKind.UNKNOWN_BLOCK, 'student "C" is placed at unknown block "Z"', "C", "Z"
        ),
    ]
