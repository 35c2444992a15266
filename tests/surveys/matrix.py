"""Who may reach the rotation survey: the student of a completed rotation answers it; the
department's staff read the results; its directors write the questions."""

from __future__ import annotations

from clerkship.rotations.models import RotationState
from tests import factories
from tests.matrix import DEPARTMENT_MANAGERS, DEPARTMENT_STAFF, Rule

OWNER = frozenset({"student"})


def survey_world(w) -> dict:
    """The world's student placed in the department's block, the rotation completed."""
    if "survey" not in w.extra:
        _application, placement = factories.make_placed_student(w.block, student=w.users["student"])
        record = factories.make_rotation_record(placement, state=RotationState.COMPLETED)
        w.extra["survey"] = {"record": record}
    return w.extra["survey"]


def _answer(w) -> str:
    return f"/my/rotation-surveys/{survey_world(w)['record'].id}"


def _answer_data(w) -> dict:
    return {"shown": "0", "q0": "4"}


def _results(w) -> str:
    return f"/departments/{w.department.slug}/rotation-surveys"


RULES = [
    Rule("surveys.answer", _answer, OWNER),
    Rule("surveys.answer", _answer, OWNER, "POST", data=_answer_data),
    Rule("surveys.results", lambda w: f"{_results(w)}?cycle={w.cycle.slug}", DEPARTMENT_STAFF),
    Rule("surveys.questions", lambda w: _results(w) + "/questions", DEPARTMENT_MANAGERS),
    Rule(
        "surveys.questions",
        lambda w: _results(w) + "/questions",
        DEPARTMENT_MANAGERS,
        "POST",
        data=lambda w: {"based_on": "0", "kind_0": "rating", "prompt_0": "Good teaching."},
    ),
]
