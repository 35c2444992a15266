"""Builders for the rotation survey's tests: completed rotations and their answers."""

from __future__ import annotations

from clerkship.rotations.models import RotationState
from clerkship.surveys import services
from tests.factories import make_placed_student, make_rotation_record, make_student


def completed(block, name: str):
    """A student's completed rotation in block."""
    _application, placement = make_placed_student(block, student=make_student(full_name=name))
    return make_rotation_record(placement, state=RotationState.COMPLETED)


def answer(record, *, rating: int = 4, comment: str = "", form_number: int | None = None):
    """The record's student answers: the first question rated, the comment as the last."""
    from clerkship.surveys import queries

    if form_number is None:
        current = queries.current_form(record.placement.application.department)
        form_number = current.number if current else 0
    texts = {len(queries.DEFAULT_QUESTIONS) - 1: comment} if comment else {}
    services.submit_survey(
        record,
        form_number=form_number,
        ratings={0: rating},
        texts=texts,
        by=record.placement.application.student,
    )
