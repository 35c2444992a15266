"""``flask allocation solve``, run through click's test runner without an app."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from clerkship.allocation.cli import allocation_cli

INSTANCE = {
    "blocks": [{"id": "X", "capacity": 3, "reserved": 1}],
    "students": [
        {"id": "A", "uim": True, "score": 90, "ranking": ["X"]},
        {"id": "B", "uim": False, "score": 85, "ranking": ["X"]},
        {"id": "C", "uim": False, "score": 80, "ranking": ["X"]},
        {"id": "D", "uim": True, "score": 70, "ranking": ["X"]},
    ],
}
OPEN_FIRST = {
    "precedence": "open_first",
    "reserves": "soft",
    "assignment": {"A": "X", "B": "X", "C": None, "D": "X"},
    "seat": {"A": "open", "B": "open", "C": None, "D": "reserved"},
}


@pytest.fixture
def instance_path(tmp_path):
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(INSTANCE), encoding="utf-8")
    return path


def run(*args, stdin=None):
    return CliRunner().invoke(allocation_cli, ["solve", *map(str, args)], input=stdin)


def test_solve_writes_result_to_stdout(instance_path):
    result = run(instance_path)
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout) == OPEN_FIRST


def test_solve_reads_instance_from_stdin():
    result = run("-", stdin=json.dumps(INSTANCE))
    assert result.exit_code == 0
    assert json.loads(result.stdout) == OPEN_FIRST


def test_solve_output_option_writes_file(instance_path, tmp_path):
    out = tmp_path / "result.json"
    result = run(instance_path, "-o", out)
    assert (result.exit_code, result.stdout) == (0, "")
    assert json.loads(out.read_text(encoding="utf-8")) == OPEN_FIRST


def test_solve_reserved_first(instance_path):
    result = run(instance_path, "--precedence", "reserved_first")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "precedence": "reserved_first",
        "reserves": "soft",
        "assignment": {"A": "X", "B": "X", "C": "X", "D": None},
        "seat": {"A": "reserved", "B": "open", "C": "open", "D": None},
    }


def test_solve_hard_reserves(tmp_path):
    no_pathway = {
        "blocks": INSTANCE["blocks"],
        "students": [dict(s, uim=False) for s in INSTANCE["students"]],
    }
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(no_pathway), encoding="utf-8")
    soft, hard = run(path), run(path, "--hard")
    assert json.loads(soft.stdout)["seat"] == {
        "A": "open",
        "B": "open",
        "C": "converted",
        "D": None,
    }
    assert json.loads(hard.stdout) == {
        "precedence": "open_first",
        "reserves": "hard",
        "assignment": {"A": "X", "B": "X", "C": None, "D": None},
        "seat": {"A": "open", "B": "open", "C": None, "D": None},
    }


def test_solve_bad_instance_fails_naming_record_and_writes_nothing(tmp_path):
    bad = json.loads(json.dumps(INSTANCE))
    bad["students"][3]["ranking"] = ["X", "EM-2027-13"]
    path, out = tmp_path / "instance.json", tmp_path / "result.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    result = run(path, "-o", out)
    assert result.exit_code == 1
    assert result.stderr == 'Error: student "D": ranking names unknown block "EM-2027-13"\n'
    assert result.stdout == ""
    assert not out.exists()


def test_solve_bad_instance_leaves_existing_output_untouched(tmp_path):
    path, out = tmp_path / "instance.json", tmp_path / "result.json"
    path.write_text('{"blocks": [], "students": [{"id": "A"}]}', encoding="utf-8")
    out.write_text("previous result", encoding="utf-8")
    result = run(path, "-o", out)
    assert result.exit_code == 1
    assert result.stderr == (
        'Error: student "A": missing "uim"\n'
        'student "A": missing "score"\n'
        'student "A": missing "ranking"\n'
    )
    assert out.read_text(encoding="utf-8") == "previous result"


def test_solve_unknown_precedence_is_usage_error(instance_path):
    result = run(instance_path, "--precedence", "reserved_last")
    assert result.exit_code == 2
    assert result.stdout == ""
