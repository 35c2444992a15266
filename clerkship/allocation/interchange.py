"""The JSON interchange format of `flask allocation solve` (spec §6).

`load_instance` / `parse_instance` turn an instance into engine objects, refusing
anything that breaks the format with an `InstanceError` that lists every problem,
each naming its record (``block "EM-2027-07"``, ``student "S000004"``, or
``students[3]`` when the record has no usable id). `render_result` builds the result.

Numbers: JSON is parsed with ``parse_float=Decimal``, so ``71.53`` is exactly 71.53;
a float handed to `parse_instance` by another caller is read through its shortest
repr, which is the number as written. Scores are held at hundredths; a score with
more decimals is rounded half away from zero (``71.005`` -> ``71.01``, the rounding
PostgreSQL applies to ``numeric(_, 2)``; see `engine.hundredths`). Booleans, strings,
NaN and Infinity are refused as scores; capacities and reserves must be JSON
integers (``4.0`` is refused). Unknown keys, at the top level or in a record, are
ignored.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from clerkship.allocation.engine import (
    Allocation,
    Block,
    Precedence,
    SeatType,
    Student,
    hundredths,
)


class InstanceError(ValueError):
    """An instance that breaks spec §6. ``errors`` holds one message per problem."""

    SHOWN = 20  # a systematic fault can give one message per record: show the first few

    def __init__(self, errors: list[str]) -> None:
        shown = errors[: self.SHOWN]
        if len(errors) > self.SHOWN:
            shown.append(f"... and {len(errors) - self.SHOWN} more problems")
        super().__init__("\n".join(shown))
        self.errors = errors


@dataclass(frozen=True)
class Instance:
    """A parsed instance: blocks and students in file order."""

    blocks: tuple[Block, ...]
    students: tuple[Student, ...]


def load_instance(text: str | bytes) -> Instance:
    """Parse instance JSON text (spec §6) without float rounding."""
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=Decimal)
    except (ValueError, RecursionError) as error:
        raise InstanceError([f"instance: not valid JSON ({error})"]) from None
    return parse_instance(data)


def parse_instance(data: object) -> Instance:
    """Validate an instance dict and build engine objects, or raise InstanceError."""
    if not isinstance(data, dict):
        raise InstanceError([f"instance: must be a JSON object, not {_describe(data)}"])
    errors: list[str] = []
    records = {}
    for key in ("blocks", "students"):
        if key not in data:
            errors.append(f'instance: missing "{key}"')
        elif not isinstance(data[key], list):
            errors.append(f'instance: "{key}" must be a list, not {_describe(data[key])}')
        else:
            records[key] = data[key]
    blocks = _parse_blocks(records.get("blocks", []), errors)
    students: list[Student] = []
    if "students" in records:
        # Check rankings against every block id given, even of blocks refused above, so
        # one bad block yields one message; without a blocks list, skip that check.
        block_ids = None
        if "blocks" in records:
            block_ids = {
                record["id"]
                for record in records["blocks"]
                if isinstance(record, dict) and isinstance(record.get("id"), str)
            }
        students = _parse_students(records["students"], block_ids, errors)
    if errors:
        raise InstanceError(errors)
    return Instance(blocks=tuple(blocks), students=tuple(students))


def render_result(allocation: Allocation, *, precedence: Precedence, hard: bool) -> dict:
    """The result dict of spec §6: every student in both maps, unplaced -> None."""
    return {
        "precedence": Precedence(precedence).value,
        "reserves": "hard" if hard else "soft",
        "assignment": dict(allocation.assignment),
        "seat": {
            student_id: None if label is None else SeatType(label).value
            for student_id, label in allocation.seat.items()
        },
    }


def _parse_blocks(records: list, errors: list[str]) -> list[Block]:
    """Blocks that pass every check; problems go to ``errors``."""
    blocks: list[Block] = []
    seen: set[str] = set()
    for position, record in enumerate(records):
        name = _record_name("block", "blocks", position, record)
        if not _check_record(record, name, errors):
            continue
        problems = len(errors)
        if record["id"] in seen:
            errors.append(f"{name}: duplicate block id")
        capacity = _whole_number(record, "capacity", name, errors)
        reserved = _whole_number(record, "reserved", name, errors)
        if capacity is not None and reserved is not None and reserved > capacity:
            errors.append(f'{name}: "reserved" ({reserved}) exceeds "capacity" ({capacity})')
        seen.add(record["id"])
        if len(errors) == problems:
            blocks.append(Block(id=record["id"], capacity=capacity, reserved=reserved))
    return blocks


def _parse_students(records: list, block_ids: set[str] | None, errors: list[str]) -> list[Student]:
    """Students that pass every check; ``block_ids`` None means blocks were unreadable."""
    students: list[Student] = []
    seen: set[str] = set()
    for position, record in enumerate(records):
        student = _well_formed_student(record, block_ids)
        if student is None:  # something is off: find and name every problem
            student = _checked_student(record, position, block_ids, errors)
        record_id = record.get("id") if isinstance(record, dict) else None
        if isinstance(record_id, str) and record_id in seen:
            errors.append(f"student {_quoted(record_id)}: duplicate student id")
        elif student is not None:
            students.append(student)
        if isinstance(record_id, str):
            seen.add(record_id)
    return students


def _well_formed_student(record: object, block_ids: set[str] | None) -> Student | None:
    """The Student for a plainly valid record, or None to check it in detail.

    A fast path for the common case: large instances load about twice as fast. What it
    does not check here, `Student` refuses (a score that is not a finite Decimal or
    int, a block listed twice), and every refusal falls back to `_checked_student`.
    """
    if type(record) is not dict or block_ids is None or record.get("block_scores") is not None:
        return None
    student_id, uim, ranking = record.get("id"), record.get("uim"), record.get("ranking")
    if type(student_id) is not str or not student_id or type(uim) is not bool:
        return None
    if type(ranking) is not list:
        return None
    try:
        if not block_ids.issuperset(ranking):
            return None
        return Student(id=student_id, uim=uim, ranking=tuple(ranking), score=record.get("score"))
    except (TypeError, ValueError):
        return None


def _checked_student(
    record: object, position: int, block_ids: set[str] | None, errors: list[str]
) -> Student | None:
    """The Student for a record, or None after adding each of its problems to ``errors``."""
    name = _record_name("student", "students", position, record)
    if not _check_record(record, name, errors):
        return None
    problems = len(errors)
    if "uim" not in record:
        errors.append(f'{name}: missing "uim"')
    elif not isinstance(record["uim"], bool):
        errors.append(f'{name}: "uim" must be true or false, not {_describe(record["uim"])}')
    score = None
    if "score" not in record:
        errors.append(f'{name}: missing "score"')
    else:
        score = _score(record["score"], '"score"', name, errors)
    ranking = _ranking(record, name, block_ids, errors)
    block_scores = _block_scores(record, name, block_ids, errors)
    if len(errors) > problems:
        return None
    return Student(
        id=record["id"], uim=record["uim"], ranking=ranking, score=score, block_scores=block_scores
    )


def _record_name(kind: str, key: str, position: int, record: object) -> str:
    """``block "X"`` when the record has a usable id, else ``blocks[3]``."""
    if isinstance(record, dict) and isinstance(record.get("id"), str) and record["id"]:
        return f"{kind} {_quoted(record['id'])}"
    return f"{key}[{position}]"


def _check_record(record: object, name: str, errors: list[str]) -> bool:
    """A record must be an object with a non-empty string id."""
    if not isinstance(record, dict):
        errors.append(f"{name}: must be an object, not {_describe(record)}")
        return False
    if "id" not in record:
        errors.append(f'{name}: missing "id"')
        return False
    if not isinstance(record["id"], str) or not record["id"]:
        errors.append(f'{name}: "id" must be a non-empty string, not {_describe(record["id"])}')
        return False
    return True


def _whole_number(record: dict, key: str, name: str, errors: list[str]) -> int | None:
    """A non-negative JSON integer field, or None after recording the problem."""
    if key not in record:
        errors.append(f'{name}: missing "{key}"')
        return None
    value = record[key]
    if isinstance(value, bool) or not isinstance(value, int):
        errors.append(f'{name}: "{key}" must be a whole number, not {_describe(value)}')
        return None
    if value < 0:
        errors.append(f'{name}: "{key}" must not be negative, not {value}')
        return None
    return value


def _score(value: object, field: str, name: str, errors: list[str]) -> Decimal | None:
    """A finite JSON number held at hundredths, or None after recording the problem."""
    if isinstance(value, float):
        value = Decimal(repr(value))  # also turns nan/inf into Decimal NaN/Infinity
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        errors.append(f"{name}: {field} must be a number, not {_describe(value)}")
        return None
    if isinstance(value, Decimal) and not value.is_finite():
        errors.append(f"{name}: {field} must be a finite number, not {value}")
        return None
    try:
        return hundredths(value)
    except ValueError:
        errors.append(f"{name}: {field} is too large ({value})")
        return None


def _ranking(
    record: dict, name: str, block_ids: set[str] | None, errors: list[str]
) -> tuple[str, ...]:
    """The ranking as a tuple of known, distinct block ids; problems go to ``errors``."""
    if "ranking" not in record:
        errors.append(f'{name}: missing "ranking"')
        return ()
    ranking = record["ranking"]
    if not isinstance(ranking, list):
        errors.append(f'{name}: "ranking" must be a list of block ids, not {_describe(ranking)}')
        return ()
    seen: set[str] = set()
    for position, block_id in enumerate(ranking):
        if not isinstance(block_id, str):
            errors.append(
                f"{name}: ranking[{position}] must be a block id, not {_describe(block_id)}"
            )
        elif block_id in seen:
            errors.append(f"{name}: ranking lists block {_quoted(block_id)} twice")
        elif block_ids is not None and block_id not in block_ids:
            errors.append(f"{name}: ranking names unknown block {_quoted(block_id)}")
        else:
            seen.add(block_id)
    return tuple(ranking)


def _block_scores(
    record: dict, name: str, block_ids: set[str] | None, errors: list[str]
) -> dict[str, Decimal]:
    """The optional block -> score overrides; null or absent means none."""
    raw = record.get("block_scores")
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        errors.append(f'{name}: "block_scores" must be an object, not {_describe(raw)}')
        return {}
    scores = {}
    for block_id, value in raw.items():
        if block_ids is not None and block_id not in block_ids:
            errors.append(f"{name}: block_scores names unknown block {_quoted(block_id)}")
            continue
        score = _score(value, f"block_scores[{_quoted(block_id)}]", name, errors)
        if score is not None:
            scores[block_id] = score
    return scores


def _describe(value: object) -> str:
    """A short JSON-like rendering of an offending value for messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, str):
        return _quoted(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _quoted(text: str) -> str:
    """A string in double quotes, with quotes and line breaks escaped as in JSON."""
    return json.dumps(text, ensure_ascii=False)
