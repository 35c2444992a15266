"""Reads of the rotation survey: the questions a department asks, the surveys a student
still owes, and the results in aggregate (never a row a staff member could name)."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from clerkship.accounts.models import User
from clerkship.allocation.models import Placement
from clerkship.applications.models import Application
from clerkship.core.suppression import MINIMUM_GROUP, is_small
from clerkship.cycles.models import Block, Cycle, Department, Rotation
from clerkship.extensions import db
from clerkship.rotations.models import RotationRecord, RotationState
from clerkship.surveys.models import (
    SCALE,
    QuestionKind,
    SurveyAnswer,
    SurveyAnswered,
    SurveyForm,
    SurveyResponse,
)


@dataclass(frozen=True)
class QuestionSpec:
    """A question as plain data: its kind and wording."""

    kind: QuestionKind
    prompt: str


# What a department that has not written its own questions asks.
DEFAULT_QUESTIONS = (
    QuestionSpec(QuestionKind.RATING, "The teaching on this rotation was good."),
    QuestionSpec(QuestionKind.RATING, "The team made me feel welcome."),
    QuestionSpec(QuestionKind.RATING, "I had the right amount of responsibility for patients."),
    QuestionSpec(QuestionKind.RATING, "I would recommend this rotation to a classmate."),
    QuestionSpec(QuestionKind.TEXT, "Anything else you want the department to know?"),
)


def current_form(department: Department) -> SurveyForm | None:
    """The department's latest version of its questions, if it has saved or used any."""
    return db.session.scalar(
        select(SurveyForm)
        .where(SurveyForm.department_id == department.id)
        .options(joinedload(SurveyForm.questions))
        .order_by(SurveyForm.number.desc())
        .limit(1)
    )


def questions_of(form: SurveyForm | None) -> list[QuestionSpec]:
    """The questions of a version, or the default set where there is none."""
    if form is None:
        return list(DEFAULT_QUESTIONS)
    return [QuestionSpec(q.kind, q.prompt) for q in form.questions]


def _completed_records_of(student: User):
    return (
        select(RotationRecord)
        .join(Placement, Placement.id == RotationRecord.placement_id)
        .join(Application, Application.id == Placement.application_id)
        .where(Application.student_id == student.id)
        .where(RotationRecord.state == RotationState.COMPLETED)
        .options(
            joinedload(RotationRecord.placement)
            .joinedload(Placement.block)
            .joinedload(Block.rotation),
            joinedload(RotationRecord.placement)
            .joinedload(Placement.application)
            .joinedload(Application.department),
        )
    )


def surveys_awaiting(student: User) -> list[RotationRecord]:
    """The student's completed rotations whose survey they have not answered (one query)."""
    answered = select(SurveyAnswered.record_id)
    return list(
        db.session.scalars(
            _completed_records_of(student)
            .where(RotationRecord.id.not_in(answered))
            .order_by(RotationRecord.ended_on, RotationRecord.id)
        ).unique()
    )


def completed_record_of(student: User, record_id: int) -> RotationRecord | None:
    """The student's own completed rotation record of that id, else None."""
    return db.session.scalars(
        _completed_records_of(student).where(RotationRecord.id == record_id)
    ).first()


def is_answered(record: RotationRecord) -> bool:
    """Whether the record's survey was answered."""
    return (
        db.session.scalar(select(SurveyAnswered.id).where(SurveyAnswered.record_id == record.id))
        is not None
    )


# --- Results: only in aggregate, only from MINIMUM_GROUP answers ---------------------------


@dataclass
class QuestionResult:
    """One question's aggregate: counts per level and mean for a rating, comments for text."""

    prompt: str
    kind: QuestionKind
    counts: dict[int, int] = field(default_factory=lambda: dict.fromkeys(SCALE, 0))
    comments: list[str] = field(default_factory=list)

    @property
    def rated(self) -> int:
        return sum(self.counts.values())

    @property
    def mean(self) -> float | None:
        if not self.rated:
            return None
        return sum(level * n for level, n in self.counts.items()) / self.rated


@dataclass
class VersionResult:
    """The answers to one version of the questions."""

    number: int
    answers: int
    questions: list[QuestionResult]


@dataclass
class RotationResult:
    """A rotation's results in a cycle: shown only from MINIMUM_GROUP answers."""

    rotation: Rotation
    answers: int
    versions: list[VersionResult] = field(default_factory=list)
    # Whether answers to a version with fewer than MINIMUM_GROUP of them are left out.
    versions_hidden: bool = False

    @property
    def shown(self) -> bool:
        return not is_small(self.answers) and self.answers > 0


def rotations_surveyed(department: Department, cycle: Cycle) -> list[Rotation]:
    """The department's rotations with a block in the cycle, or with answers in it."""
    with_blocks = select(Block.rotation_id).where(Block.cycle_id == cycle.id)
    with_answers = select(SurveyResponse.rotation_id).where(SurveyResponse.cycle_id == cycle.id)
    return list(
        db.session.scalars(
            select(Rotation)
            .where(Rotation.department_id == department.id)
            .where(Rotation.id.in_(with_blocks) | Rotation.id.in_(with_answers))
            .order_by(Rotation.title, Rotation.id)
        )
    )


def results(
    department: Department, cycle: Cycle, *, rng: random.Random | None = None
) -> list[RotationResult]:
    """Each rotation's results in the cycle, in aggregate; comments shuffled by rng (a fresh
    system-random order by default, so no two views show the order they came in).

    Five statements whatever the number of rotations and answers.
    """
    rng = rng or random.SystemRandom()
    rotations = rotations_surveyed(department, cycle)
    ids = [r.id for r in rotations]
    if not ids:
        return []
    per_version: dict[int, dict[int, int]] = defaultdict(dict)
    for rotation_id, form_id, n in db.session.execute(
        select(SurveyResponse.rotation_id, SurveyResponse.form_id, func.count())
        .where(SurveyResponse.cycle_id == cycle.id, SurveyResponse.rotation_id.in_(ids))
        .group_by(SurveyResponse.rotation_id, SurveyResponse.form_id)
    ):
        per_version[rotation_id][form_id] = n
    shown = {
        (rotation_id, form_id)
        for rotation_id, forms in per_version.items()
        if sum(forms.values()) >= MINIMUM_GROUP
        for form_id, n in forms.items()
        if n >= MINIMUM_GROUP
    }
    form_ids = sorted({form_id for _rotation, form_id in shown})
    forms = {
        f.id: f
        for f in db.session.scalars(
            select(SurveyForm)
            .where(SurveyForm.id.in_(form_ids))
            .options(joinedload(SurveyForm.questions))
        ).unique()
    }
    ratings: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    comments: dict[tuple[int, int], list[str]] = defaultdict(list)
    shown_rotations = sorted({rotation_id for rotation_id, _form in shown})
    if shown_rotations:
        scope = (
            select(SurveyResponse.rotation_id, SurveyResponse.form_id, SurveyAnswer.question_id)
            .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
            .where(
                SurveyResponse.cycle_id == cycle.id,
                SurveyResponse.rotation_id.in_(shown_rotations),
                SurveyResponse.form_id.in_(form_ids),
            )
        )
        for rotation_id, form_id, question_id, rating, n in db.session.execute(
            scope.add_columns(SurveyAnswer.rating, func.count())
            .where(SurveyAnswer.rating.is_not(None))
            .group_by(
                SurveyResponse.rotation_id,
                SurveyResponse.form_id,
                SurveyAnswer.question_id,
                SurveyAnswer.rating,
            )
        ):
            if (rotation_id, form_id) in shown:
                ratings[(rotation_id, question_id)][rating] = n
        for rotation_id, form_id, question_id, text in db.session.execute(
            scope.add_columns(SurveyAnswer.text)
            .where(SurveyAnswer.text.is_not(None))
            .order_by(SurveyResponse.id)
        ):
            if (rotation_id, form_id) in shown:
                comments[(rotation_id, question_id)].append(text)
    out = []
    for rotation in rotations:
        forms_here = per_version.get(rotation.id, {})
        result = RotationResult(rotation, sum(forms_here.values()))
        if result.shown:
            for form_id in sorted(forms_here, key=lambda f: -forms[f].number if f in forms else 0):
                if (rotation.id, form_id) not in shown:
                    result.versions_hidden = True
                    continue
                questions = []
                for q in forms[form_id].questions:
                    item = QuestionResult(q.prompt, q.kind)
                    item.counts.update(ratings.get((rotation.id, q.id), {}))
                    item.comments = list(comments.get((rotation.id, q.id), []))
                    rng.shuffle(item.comments)
                    questions.append(item)
                version = VersionResult(forms[form_id].number, forms_here[form_id], questions)
                result.versions.append(version)
        out.append(result)
    return out
