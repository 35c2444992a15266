"""The interchange format of spec §6: parsing, refusing bad instances, rendering."""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest

from clerkship.allocation.engine import Block, Precedence, Student, solve
from clerkship.allocation.interchange import (
    Instance,
    InstanceError,
    load_instance,
    parse_instance,
    render_result,
)

INSTANCE = {
    "cycle": "2027-2028",  # top-level keys other than blocks and students are ignored
    "blocks": [
        {"id": "EM-2027-07", "capacity": 2, "reserved": 1},
        {"id": "EM-2027-08", "capacity": 1, "reserved": 0, "site": "LA General"},
    ],
    "students": [
        {
            "id": "S000001",
            "uim": True,
            "score": 71.5,
            "ranking": ["EM-2027-07", "EM-2027-08"],
            "block_scores": {"EM-2027-08": 68.0},
        },
        {"id": "S000002", "uim": False, "score": 88.25, "ranking": ["EM-2027-07"]},
        {"id": "S000003", "uim": False, "score": 80, "ranking": ["EM-2027-07", "EM-2027-08"]},
        {"id": "S000004", "uim": False, "score": 80.0, "ranking": ["EM-2027-08"]},
        {"id": "S000005", "uim": True, "score": 60, "ranking": [], "block_scores": None},
    ],
}

# S000002 takes the open seat of EM-2027-07 and S000001 its reserved seat; S000003 is
# turned away and wins EM-2027-08 over S000004 on the tie at 80 (smaller id).
EXPECTED_ASSIGNMENT = {
    "S000001": "EM-2027-07",
    "S000002": "EM-2027-07",
    "S000003": "EM-2027-08",
    "S000004": None,
    "S000005": None,
}
EXPECTED_SEAT = {
    "S000001": "reserved",
    "S000002": "open",
    "S000003": "open",
    "S000004": None,
    "S000005": None,
}


def solve_text(text, precedence=Precedence.OPEN_FIRST, hard=False):
    instance = load_instance(text)
    allocation = solve(instance.blocks, instance.students, precedence=precedence, hard=hard)
    return json.loads(json.dumps(render_result(allocation, precedence=precedence, hard=hard)))


def refusal(data):
    """The error messages for an instance given as a dict (NaN/Infinity as JSON does)."""
    with pytest.raises(InstanceError) as caught:
        load_instance(json.dumps(data))
    return caught.value.errors


def test_load_instance_builds_engine_objects():
    instance = load_instance(json.dumps(INSTANCE))
    assert instance.blocks == (
        Block("EM-2027-07", capacity=2, reserved=1),
        Block("EM-2027-08", capacity=1, reserved=0),
    )
    assert instance.students[0] == Student(
        "S000001",
        uim=True,
        ranking=("EM-2027-07", "EM-2027-08"),
        score=Decimal("71.50"),
        block_scores={"EM-2027-08": Decimal("68.00")},
    )
    assert instance.students[4] == Student("S000005", uim=True, ranking=(), score=Decimal(60))


def test_round_trip_open_first_soft():
    assert solve_text(json.dumps(INSTANCE)) == {
        "precedence": "open_first",
        "reserves": "soft",
        "assignment": EXPECTED_ASSIGNMENT,
        "seat": EXPECTED_SEAT,
    }


def test_round_trip_reserved_first_hard():
    result = solve_text(json.dumps(INSTANCE), Precedence.RESERVED_FIRST, hard=True)
    assert result == {
        "precedence": "reserved_first",
        "reserves": "hard",
        "assignment": EXPECTED_ASSIGNMENT,
        "seat": EXPECTED_SEAT,
    }


def test_render_result_unassigned_student_is_null_in_both_maps():
    instance = load_instance(json.dumps(INSTANCE))
    allocation = solve(instance.blocks, instance.students)
    result = render_result(allocation, precedence=Precedence.OPEN_FIRST, hard=False)
    assert (result["assignment"]["S000005"], result["seat"]["S000005"]) == (None, None)
    assert list(result["assignment"]) == list(result["seat"]) == list(EXPECTED_ASSIGNMENT)


def test_load_instance_reads_decimals_exactly_and_rounds_half_away_from_zero():
    text = json.dumps(INSTANCE).replace("88.25", "80.005")
    # As a float 80.005 is 80.00499999..., which would round down.
    assert load_instance(text).students[1].score == Decimal("80.01")


def test_parse_instance_python_floats_equal_json_decimals():
    assert parse_instance(copy.deepcopy(INSTANCE)) == load_instance(json.dumps(INSTANCE))


def test_parse_instance_empty_lists_give_empty_instance():
    assert parse_instance({"blocks": [], "students": []}) == Instance(blocks=(), students=())


def test_load_instance_not_json_refused():
    with pytest.raises(InstanceError) as caught:
        load_instance("{")
    assert caught.value.errors == [
        "instance: not valid JSON (Expecting property name enclosed in double quotes: "
        "line 1 column 2 (char 1))"
    ]


def edited(path, value):
    """INSTANCE with one value replaced; ``path`` is a list of keys and indexes."""
    data = copy.deepcopy(INSTANCE)
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    elif path[-1] == len(target):
        target.append(value)
    else:
        target[path[-1]] = value
    return data


S1, S4 = ["students", 0], ["students", 3]
B7, B8 = ["blocks", 0], ["blocks", 1]
NAN, INF = float("nan"), float("inf")

BAD_INSTANCES = {
    "unknown block in ranking": (
        edited([*S4, "ranking", 0], "EM-2027-13"),
        'student "S000004": ranking names unknown block "EM-2027-13"',
    ),
    "block twice in ranking": (
        edited([*S1, "ranking"], ["EM-2027-07", "EM-2027-08", "EM-2027-07"]),
        'student "S000001": ranking lists block "EM-2027-07" twice',
    ),
    "ranking not a list": (
        edited([*S1, "ranking"], "EM-2027-07"),
        'student "S000001": "ranking" must be a list of block ids, not "EM-2027-07"',
    ),
    "ranking entry not a string": (
        edited([*S1, "ranking", 1], 8),
        'student "S000001": ranking[1] must be a block id, not 8',
    ),
    "ranking missing": (
        edited([*S1, "ranking"], KeyError),
        'student "S000001": missing "ranking"',
    ),
    "duplicate student id": (
        edited(["students", 1, "id"], "S000001"),
        'student "S000001": duplicate student id',
    ),
    "duplicate block id": (
        edited(["blocks", 2], {"id": "EM-2027-07", "capacity": 3, "reserved": 0}),
        'block "EM-2027-07": duplicate block id',
    ),
    "reserved above capacity": (
        edited([*B8, "reserved"], 2),
        'block "EM-2027-08": "reserved" (2) exceeds "capacity" (1)',
    ),
    "negative capacity": (
        edited([*B8, "capacity"], -1),
        'block "EM-2027-08": "capacity" must not be negative, not -1',
    ),
    "negative reserved": (
        edited([*B7, "reserved"], -1),
        'block "EM-2027-07": "reserved" must not be negative, not -1',
    ),
    "fractional capacity": (
        edited([*B7, "capacity"], 2.5),
        'block "EM-2027-07": "capacity" must be a whole number, not 2.5',
    ),
    "capacity written as a float": (
        edited([*B7, "capacity"], 2.0),
        'block "EM-2027-07": "capacity" must be a whole number, not 2.0',
    ),
    "capacity a string": (
        edited([*B7, "capacity"], "2"),
        'block "EM-2027-07": "capacity" must be a whole number, not "2"',
    ),
    "reserved a boolean": (
        edited([*B7, "reserved"], True),
        'block "EM-2027-07": "reserved" must be a whole number, not true',
    ),
    "capacity missing": (
        edited([*B7, "capacity"], KeyError),
        'block "EM-2027-07": missing "capacity"',
    ),
    "score NaN": (
        edited([*S1, "score"], NAN),
        'student "S000001": "score" must be a finite number, not NaN',
    ),
    "score Infinity": (
        edited([*S1, "score"], INF),
        'student "S000001": "score" must be a finite number, not Infinity',
    ),
    "score -Infinity": (
        edited([*S1, "score"], -INF),
        'student "S000001": "score" must be a finite number, not -Infinity',
    ),
    "score a boolean": (
        edited([*S1, "score"], False),
        'student "S000001": "score" must be a number, not false',
    ),
    "score a string": (
        edited([*S1, "score"], "71.5"),
        'student "S000001": "score" must be a number, not "71.5"',
    ),
    "score null": (
        edited([*S1, "score"], None),
        'student "S000001": "score" must be a number, not null',
    ),
    "score too large": (
        edited([*S1, "score"], 1e30),
        'student "S000001": "score" is too large (1E+30)',
    ),
    "score missing": (
        edited([*S1, "score"], KeyError),
        'student "S000001": missing "score"',
    ),
    "block_scores names unknown block": (
        edited([*S1, "block_scores"], {"EM-2027-99": 70}),
        'student "S000001": block_scores names unknown block "EM-2027-99"',
    ),
    "block_scores value NaN": (
        edited([*S1, "block_scores", "EM-2027-08"], NAN),
        'student "S000001": block_scores["EM-2027-08"] must be a finite number, not NaN',
    ),
    "block_scores not an object": (
        edited([*S1, "block_scores"], [68.0]),
        'student "S000001": "block_scores" must be an object, not a list',
    ),
    "uim a string": (
        edited([*S1, "uim"], "yes"),
        'student "S000001": "uim" must be true or false, not "yes"',
    ),
    "uim a number": (
        edited([*S1, "uim"], 1),
        'student "S000001": "uim" must be true or false, not 1',
    ),
    "uim missing": (
        edited([*S1, "uim"], KeyError),
        'student "S000001": missing "uim"',
    ),
    "student id not a string": (
        edited([*S1, "id"], 1),
        'students[0]: "id" must be a non-empty string, not 1',
    ),
    "student id empty": (
        edited([*S4, "id"], ""),
        'students[3]: "id" must be a non-empty string, not ""',
    ),
    "student id missing": (
        edited([*S4, "id"], KeyError),
        'students[3]: missing "id"',
    ),
    "block id null": (
        edited(["blocks", 2], {"id": None, "capacity": 3, "reserved": 0}),
        'blocks[2]: "id" must be a non-empty string, not null',
    ),
    "student not an object": (
        edited(S4, ["S000004"]),
        "students[3]: must be an object, not a list",
    ),
    "blocks missing": (
        edited(["blocks"], KeyError),
        'instance: missing "blocks"',
    ),
    "students not a list": (
        edited(["students"], {"S000001": {}}),
        'instance: "students" must be a list, not an object',
    ),
    "instance not an object": (
        [INSTANCE],
        "instance: must be a JSON object, not a list",
    ),
}


@pytest.mark.parametrize(("data", "message"), list(BAD_INSTANCES.values()), ids=list(BAD_INSTANCES))
def test_load_instance_bad_record_refused_naming_it(data, message):
    assert refusal(data) == [message]


def test_load_instance_collects_every_problem():
    data = edited([*B8, "reserved"], 5)
    data["students"][3]["ranking"] = ["EM-2027-08", "EM-2027-13"]
    data["students"][4]["uim"] = "no"
    with pytest.raises(InstanceError) as caught:
        load_instance(json.dumps(data))
    assert str(caught.value) == (
        'block "EM-2027-08": "reserved" (5) exceeds "capacity" (1)\n'
        'student "S000004": ranking names unknown block "EM-2027-13"\n'
        'student "S000005": "uim" must be true or false, not "no"'
    )


def test_load_instance_ranking_of_refused_block_not_reported_unknown():
    data = edited([*B8, "capacity"], "one")
    assert refusal(data) == ['block "EM-2027-08": "capacity" must be a whole number, not "one"']


def test_load_instance_id_with_quote_and_line_break_escaped_in_message():
    data = edited([*S4, "ranking", 0], 'EM"\nX')
    assert refusal(data) == ['student "S000004": ranking names unknown block "EM\\"\\nX"']


def test_instance_error_message_shows_first_twenty_problems():
    data = {"blocks": [], "students": [{"id": f"S{i:02d}"} for i in range(10)]}
    with pytest.raises(InstanceError) as caught:
        load_instance(json.dumps(data))
    assert len(caught.value.errors) == 30
    assert str(caught.value).splitlines()[-2:] == [
        'student "S06": missing "score"',
        "... and 10 more problems",
    ]
