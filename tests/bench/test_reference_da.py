"""The plain-Python deferred acceptance the allocation benchmark times the command against."""

from __future__ import annotations

import json

import pytest

from clerkship.allocation import synthetic
from clerkship.allocation.engine import Precedence, solve
from clerkship.allocation.interchange import parse_instance, render_result
from clerkship.bench import reference_da

# docs/allocation.md §7, the worked example.
WORKED_EXAMPLE = {
    "blocks": [
        {"id": "EM-07", "capacity": 2, "reserved": 1},
        {"id": "EM-08", "capacity": 2, "reserved": 1},
    ],
    "students": [
        {"id": "S1", "uim": False, "score": 92, "ranking": ["EM-07", "EM-08"]},
        {"id": "S2", "uim": True, "score": 95, "ranking": ["EM-07", "EM-08"]},
        {"id": "S3", "uim": False, "score": 85, "ranking": ["EM-07", "EM-08"]},
        {"id": "S4", "uim": True, "score": 70, "ranking": ["EM-07"]},
        {"id": "S5", "uim": False, "score": 85, "ranking": ["EM-08"]},
        {"id": "S6", "uim": False, "score": 60.5, "ranking": ["EM-08", "EM-07"]},
    ],
}
RULES = [(precedence, hard) for precedence in Precedence for hard in (False, True)]


def _engine(instance: dict, precedence: Precedence, hard: bool) -> dict:
    parsed = parse_instance(json.loads(json.dumps(instance)))
    allocation = solve(parsed.blocks, parsed.students, precedence=precedence, hard=hard)
    return json.loads(json.dumps(render_result(allocation, precedence=precedence, hard=hard)))


def _reference(tmp_path, instance: dict, precedence: Precedence, hard: bool) -> dict:
    source, result = tmp_path / "instance.json", tmp_path / "result.json"
    source.write_text(json.dumps(instance))
    reference_da.main(
        [str(source), "-o", str(result), "--precedence", precedence.value]
        + (["--hard"] if hard else [])
    )
    return json.loads(result.read_text())


def test_reference_gives_the_worked_example_of_the_docs(tmp_path):
    result = _reference(tmp_path, WORKED_EXAMPLE, Precedence.OPEN_FIRST, False)
    assert result["assignment"] == {
        "S1": "EM-08",
        "S2": "EM-07",
        "S3": "EM-08",
        "S4": "EM-07",
        "S5": None,
        "S6": None,
    }
    assert result["seat"] == {
        "S1": "open",
        "S2": "open",
        "S3": "converted",
        "S4": "reserved",
        "S5": None,
        "S6": None,
    }


@pytest.mark.parametrize(("precedence", "hard"), RULES)
def test_reference_agrees_with_the_engine_under_every_rule(tmp_path, precedence, hard):
    instance = synthetic.generate(600, seed=7, capacity=(1, 6), reserved=(0, 3))
    for example in (WORKED_EXAMPLE, instance):
        assert _reference(tmp_path, example, precedence, hard) == _engine(example, precedence, hard)
