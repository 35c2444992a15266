"""A short plain-Python deferred acceptance with reserves: the yardstick of `flask allocation solve`.

    python -m clerkship.bench.reference_da INSTANCE.json [-o RESULT.json]
        [--precedence open_first|reserved_first] [--hard]

The `allocation_engine` benchmark times this program and ``flask allocation solve`` as
whole commands on the same instance and requires the same result. It is what one would
write in an afternoon from docs/allocation.md §1-§3: ``json.load``, student-proposing
deferred acceptance, each block choosing seat by seat in its precedence. It checks
nothing and imports nothing of clerkship (nor anything outside the standard library),
so its time is Python's start, reading the JSON, the mechanism and writing the result.

Scores are compared as the floats JSON gives: for scores with at most two decimals (every
score of the benchmark's instances) that is the same order as the engine's hundredths.
"""

from __future__ import annotations

import argparse
import json
from bisect import insort


def choose(held: list, capacity: int, reserved: int, open_first: bool, hard: bool) -> list:
    """Ch_b (§2) on applicants (key, uim, index) in priority order: [(applicant, label)]."""
    seats = ["open"] * (capacity - reserved) + ["reserved"] * reserved
    if not open_first:
        seats.reverse()
    left = list(held)
    taken = []
    for seat in seats:
        label, pick = seat, None
        if seat == "open":
            pick = left[0] if left else None
        else:
            pick = next((applicant for applicant in left if applicant[1]), None)
            if pick is None and not hard and left:
                label, pick = "converted", left[0]
        if pick is not None:
            left.remove(pick)
            taken.append((pick, label))
    return taken


def solve(data: dict, open_first: bool, hard: bool) -> tuple[dict, dict]:
    """Student-proposing deferred acceptance (§3): student id -> block id, and -> seat label."""
    blocks, students = data["blocks"], data["students"]
    held: dict[str, list] = {block["id"]: [] for block in blocks}
    sizes = {block["id"]: (block["capacity"], block["reserved"]) for block in blocks}
    next_choice = [0] * len(students)
    free = list(range(len(students)))
    while free:
        i = free.pop()
        student = students[i]
        ranking = student["ranking"]
        if next_choice[i] == len(ranking):
            continue  # she has proposed to every block she ranked
        block_id = ranking[next_choice[i]]
        next_choice[i] += 1
        score = (student.get("block_scores") or {}).get(block_id, student["score"])
        insort(held[block_id], ((-score, student["id"]), student["uim"], i))
        capacity, reserved = sizes[block_id]
        kept = [
            applicant
            for applicant, _ in choose(held[block_id], capacity, reserved, open_first, hard)
        ]
        free.extend(applicant[2] for applicant in held[block_id] if applicant not in kept)
        held[block_id] = sorted(kept)

    assignment = dict.fromkeys(student["id"] for student in students)
    seat = dict(assignment)
    for block_id, applicants in held.items():
        capacity, reserved = sizes[block_id]
        for applicant, label in choose(applicants, capacity, reserved, open_first, hard):
            assignment[students[applicant[2]]["id"]] = block_id
            seat[students[applicant[2]]["id"]] = label
    return assignment, seat


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("instance")
    parser.add_argument("-o", "--output")
    parser.add_argument(
        "--precedence", choices=("open_first", "reserved_first"), default="open_first"
    )
    parser.add_argument("--hard", action="store_true")
    args = parser.parse_args(argv)
    with open(args.instance, encoding="utf-8") as file:
        data = json.load(file)
    assignment, seat = solve(data, args.precedence == "open_first", args.hard)
    result = {
        "precedence": args.precedence,
        "reserves": "hard" if args.hard else "soft",
        "assignment": assignment,
        "seat": seat,
    }
    text = json.dumps(result, indent=2)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as file:
            file.write(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    main()
