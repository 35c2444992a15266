"""Allocation engine benchmarks: the whole CLI command beside a plain-Python one, and the engine beside `matching`."""

from __future__ import annotations

import json
import os
import statistics
import subprocess  # nosec B404
import sys
import tempfile
import time
from pathlib import Path

from clerkship.allocation import synthetic
from clerkship.allocation.engine import priority_key, solve
from clerkship.allocation.interchange import parse_instance
from clerkship.bench import Measurement

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def run(app) -> list[Measurement]:
    """The measurements; ``app`` is unused (the commands start their own interpreters)."""
    return [*command_versus_reference(), engine_versus_matching()]


def command_versus_reference(n_students: int = 20_000, runs: int = 5) -> list[Measurement]:
    """``flask allocation solve`` and `reference_da` as whole commands on the same instance.

    Each runs in a fresh interpreter (Python's start included), alternately, ``runs``
    times; the figures are the medians. Both must write the same result.
    """
    with tempfile.TemporaryDirectory() as folder:
        instance = Path(folder) / "instance.json"
        instance.write_text(json.dumps(synthetic.generate(n_students, seed=2027)))
        ours, reference = Path(folder) / "ours.json", Path(folder) / "reference.json"
        flask = [sys.executable, "-m", "flask", "--app", "clerkship", "allocation", "solve"]
        plain = [sys.executable, "-m", "clerkship.bench.reference_da"]
        times: dict[str, list[float]] = {"ours": [], "reference": []}
        for _ in range(runs):
            times["ours"].append(_timed([*flask, str(instance), "-o", str(ours)]))
            times["reference"].append(_timed([*plain, str(instance), "-o", str(reference)]))
        if json.loads(ours.read_text()) != json.loads(reference.read_text()):
            raise AssertionError("flask allocation solve and reference_da disagree")
    command, plain_time = statistics.median(times["ours"]), statistics.median(times["reference"])
    ratio = command / plain_time
    load = os.getloadavg()[0]
    return [
        Measurement(
            figure=f"flask allocation solve, {n_students:,} students x 48 blocks "
            f"(wall time incl. Python start, median of {runs})",
            target="< 1.5 s",
            measured=f"{command:.2f} s (load average {load:.1f})",
            met=command < 1.5,
        ),
        Measurement(
            figure="flask allocation solve / plain-Python deferred acceptance "
            f"(bench/reference_da.py), whole commands, same {n_students:,}-student JSON, "
            "identical results",
            target="<= 1.3x",
            measured=f"{ratio:.2f}x ({command:.2f} s / {plain_time:.2f} s, load average {load:.1f})",
            met=ratio <= 1.3,
        ),
    ]


def _timed(command: list[str]) -> float:
    """Wall time of one command run in the project folder; it must succeed."""
    start = time.perf_counter()
    # Runs this very interpreter on files the benchmark wrote: nothing untrusted.
    done = subprocess.run(  # noqa: S603  # nosec B603
        command, cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr}")
    return elapsed


def engine_versus_matching(n_students: int = 10_000, runs: int = 3) -> Measurement:
    """Our `solve` and matching's HospitalResident on one instance without reserves."""
    from matching.games import HospitalResident  # a test and benchmark dependency only

    instance = parse_instance(synthetic.generate(n_students, seed=2028, reserved=(0, 0)))
    blocks, students = instance.blocks, instance.students
    resident_prefs = {student.id: list(student.ranking) for student in students}
    hospital_prefs = {
        block.id: [
            student.id
            for student in sorted(
                (s for s in students if block.id in s.ranking),
                key=lambda s, block_id=block.id: priority_key(s, block_id),
            )
        ]
        for block in blocks
    }
    hospital_prefs = {block_id: prefs for block_id, prefs in hospital_prefs.items() if prefs}
    capacities = {block.id: block.capacity for block in blocks if block.id in hospital_prefs}

    ours_times = []
    for _ in range(runs):
        start = time.perf_counter()
        ours = solve(blocks, students).assignment
        ours_times.append(time.perf_counter() - start)
    start = time.perf_counter()
    game = HospitalResident.create_from_dictionaries(resident_prefs, hospital_prefs, capacities)
    matched = game.solve(optimal="resident")
    theirs_time = time.perf_counter() - start

    theirs = dict.fromkeys(resident_prefs)
    for hospital, residents in matched.items():
        for resident in residents:
            theirs[resident.name] = hospital.name
    if ours != theirs:
        raise AssertionError("the engine and matching's HospitalResident disagree")
    ours_time = statistics.median(ours_times)
    ratio = theirs_time / ours_time
    return Measurement(
        figure=f"engine vs matching HospitalResident, {n_students:,} students x 48 blocks, "
        "no reserves (create + solve; engine median of 3)",
        target=">= 20x faster",
        measured=f"{ratio:.0f}x (engine {ours_time:.3f} s, matching {theirs_time:.2f} s)",
        met=ratio >= 20,
    )
