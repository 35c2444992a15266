"""Changes of the rotation survey: a department's questions, the invitation to answer, and
the student's answers (stored apart from their name, once per completed rotation)."""

from __future__ import annotations

from sqlalchemy import func, select

from clerkship.accounts.models import User
from clerkship.audit.services import record_event
from clerkship.core.rules import RuleViolation
from clerkship.core.urls import external_url
from clerkship.cycles.models import Department
from clerkship.extensions import db
from clerkship.outbox.models import OutboxMessage
from clerkship.outbox.services import queue_email
from clerkship.rotations.models import RotationRecord, RotationState
from clerkship.rotations.signals import rotation_completed
from clerkship.surveys import queries
from clerkship.surveys.models import (
    SCALE,
    QuestionKind,
    SurveyAnswer,
    SurveyAnswered,
    SurveyForm,
    SurveyQuestion,
    SurveyResponse,
)
from clerkship.surveys.queries import QuestionSpec

MAX_QUESTIONS = 12
MAX_PROMPT = 300
MAX_TEXT = 4000
INVITATION = "survey_invitation"


def _new_version(department: Department, questions: list[QuestionSpec], by: User | None):
    number = (
        db.session.scalar(
            select(func.max(SurveyForm.number)).where(SurveyForm.department_id == department.id)
        )
        or 0
    ) + 1
    form = SurveyForm(department_id=department.id, number=number, created_by_id=by and by.id)
    form.questions = [
        SurveyQuestion(position=i, kind=q.kind, prompt=q.prompt) for i, q in enumerate(questions)
    ]
    db.session.add(form)
    db.session.flush()
    return form


def save_questions(
    department: Department, questions: list[QuestionSpec], *, by: User, based_on: int
) -> SurveyForm:
    """Save the department's questions as a new version (answers keep the version they
    answered). based_on is the version the editor showed (0: the default set)."""
    current = queries.current_form(department)
    if based_on != (current.number if current else 0):
        raise RuleViolation(
            "Someone else saved the questions after you opened the page. Your questions are "
            "kept below; check them against the current ones and save again."
        )
    questions = [QuestionSpec(q.kind, q.prompt.strip()) for q in questions if q.prompt.strip()]
    if not questions:
        raise RuleViolation("Write at least one question.")
    if len(questions) > MAX_QUESTIONS:
        raise RuleViolation(f"Ask at most {MAX_QUESTIONS} questions.")
    if any(len(q.prompt) > MAX_PROMPT for q in questions):
        raise RuleViolation(f"Keep each question under {MAX_PROMPT} characters.")
    if current is not None and queries.questions_of(current) == questions:
        return current  # nothing changed: no new version
    form = _new_version(department, questions, by)
    record_event(
        "survey.questions_saved",
        by=by,
        target=form,
        summary=f"{department.name}: rotation survey questions, version {form.number}",
    )
    return form


def invite_to_survey(record: RotationRecord) -> bool:
    """Email the student of a completed rotation the link to its survey, once: a second call
    finds the first email in the outbox and sends nothing. Returns whether it queued one."""
    application = record.placement.application
    already = db.session.scalar(
        select(OutboxMessage.id)
        .where(OutboxMessage.template == INVITATION)
        .where(OutboxMessage.application_id == application.id)
        .limit(1)
    )
    if already is not None or queries.is_answered(record):
        return False
    queue_email(
        application.student.email,
        f"{application.department.name} visiting clerkship: tell us about your rotation",
        INVITATION,
        recipient=application.student,
        department=application.department,
        application=application,
        student=application.student,
        rotation_title=record.placement.block.rotation.title,
        link=external_url("surveys.answer", record_id=record.id),
    )
    db.session.flush()
    return True


@rotation_completed.connect
def _ask_after_completion(record: RotationRecord, **_kwargs) -> None:
    """The rotation was recorded completed: ask the student, in the same transaction."""
    invite_to_survey(record)


def submit_survey(
    record: RotationRecord,
    *,
    form_number: int,
    ratings: dict[int, int | None],
    texts: dict[int, str],
    by: User,
) -> None:
    """Store the student's answers to the survey of a completed rotation, once.

    form_number is the version the page showed (0: the default set, saved now as the
    department's first version). The answers carry no name: the record is marked answered
    in a separate row, and the response keeps only the rotation, the cycle and the version.
    """
    locked = db.session.scalar(
        select(RotationRecord)
        .where(RotationRecord.id == record.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if locked is None or locked.state is not RotationState.COMPLETED:
        raise RuleViolation("Only a completed rotation has a survey.")
    application = locked.placement.application
    if application.student_id != by.id:
        raise RuleViolation("Only the student of this rotation answers its survey.")
    if queries.is_answered(locked):
        raise RuleViolation("You have already answered this survey; your answers are kept.")
    department = application.department
    form = queries.current_form(department)
    if form_number != (form.number if form else 0):
        raise RuleViolation(
            f"{department.name} changed its questions after you opened the page. "
            "Please answer the questions as they are now."
        )
    # Every check before any write: a refused answer leaves nothing behind.
    given: dict[int, tuple[int | None, str | None]] = {}
    for position, question in enumerate(queries.questions_of(form)):
        if question.kind is QuestionKind.RATING:
            rating = ratings.get(position)
            if rating is not None:
                if rating not in SCALE:
                    raise RuleViolation("Choose a rating from 1 to 5.")
                given[position] = (rating, None)
        else:
            text = (texts.get(position) or "").strip()
            if len(text) > MAX_TEXT:
                raise RuleViolation(f"Keep each answer under {MAX_TEXT} characters.")
            if text:
                given[position] = (None, text)
    if not given:
        raise RuleViolation("Answer at least one question.")
    if form is None:
        form = _new_version(department, list(queries.DEFAULT_QUESTIONS), None)
    answers = [
        SurveyAnswer(question_id=q.id, rating=given[q.position][0], text=given[q.position][1])
        for q in form.questions
        if q.position in given
    ]
    db.session.add(SurveyAnswered(record_id=locked.id))
    db.session.add(
        SurveyResponse(
            form_id=form.id,
            rotation_id=locked.placement.block.rotation_id,
            cycle_id=application.cycle_id,
            answers=answers,
        )
    )
    db.session.flush()
    # The audit says who answered which rotation, never what: the marker already knows that.
    record_event(
        "survey.answered",
        by=by,
        target=locked,
        subject=by,
        summary=f"{department.name}: rotation survey answered",
    )
    db.session.flush()
