"""The checklist is plain arithmetic over loaded records: every submission rule, one item each."""

from __future__ import annotations

from datetime import date, timedelta

from clerkship.applications.checklist import build_checklist, count_words, required_kinds
from clerkship.core.time import local_today
from clerkship.documents.models import DocumentKind
from tests.factories import (
    make_application,
    make_block,
    make_cycle,
    make_department,
    make_document,
    make_profile,
    make_rotation,
    make_student,
)


def _checklist(application, profile, documents=None, received=0, waiting=0, today=None):
    return build_checklist(
        application,
        profile=profile,
        documents=documents or {},
        letters_received=received,
        letters_waiting=waiting,
        today=today or local_today(),
    )


def _details(checklist) -> dict[str, tuple[bool, str]]:
    return {item.key: (item.done, item.detail) for item in checklist.items}


def test_count_words_splits_on_any_whitespace():
    assert count_words("") == 0
    assert count_words("  one\ttwo\n\nthree-four  five. ") == 4
    assert count_words("Über naïve café") == 3


def test_required_kinds_default_to_six_documents(app):
    assert required_kinds(make_department()) == (
        DocumentKind.CV,
        DocumentKind.TRANSCRIPT,
        DocumentKind.GOOD_STANDING,
        DocumentKind.IMMUNIZATIONS,
        DocumentKind.BLS,
        DocumentKind.TB_SCREEN,
    )


def test_empty_draft_lists_everything_missing(app):
    department = make_department(name="Pediatrics", required_documents="cv", letters_required=2)
    application = make_application(department=department)
    details = _details(_checklist(application, None))
    assert details["profile"][0] is False
    assert details["profile"][1].startswith("Missing: legal first name, legal last name, phone")
    assert details["blocks"] == (False, "Choose and rank at least one block.")
    assert details["statement"] == (False, "Write your personal statement (at most 500 words).")
    assert details["document_cv"] == (False, "Not uploaded yet.")
    assert details["letters"] == (False, "0 of 2 received. Ask a writer for a letter.")
    assert details["window"][0] is True


def test_statement_over_the_word_limit_is_not_done(app):
    department = make_department(statement_word_limit=50)
    application = make_application(department=department, statement="word " * 51)
    assert _details(_checklist(application, None))["statement"] == (
        False,
        "Your statement has 51 words; the limit is 50. Shorten it.",
    )


def test_block_ending_after_graduation_is_refused(app):
    cycle = make_cycle()
    department = make_department()
    block = make_block(make_rotation(department), cycle, month=12)
    student = make_student()
    profile = make_profile(student, expected_graduation=block.ends_on)
    application = make_application(student, department, cycle, blocks=[block])
    done, detail = _details(_checklist(application, profile))["graduation"]
    assert done is False
    assert f"You expect to graduate on {block.ends_on:%b %-d, %Y}" in detail
    profile.expected_graduation = block.ends_on + timedelta(days=1)
    assert _details(_checklist(application, profile))["graduation"][0] is True


def test_expiring_document_must_be_valid_on_first_day_of_earliest_block(app):
    cycle = make_cycle()
    department = make_department(required_documents="bls")
    rotation = make_rotation(department)
    early, late = make_block(rotation, cycle, month=8), make_block(rotation, cycle, month=10)
    student = make_student()
    bls = make_document(student, cycle, DocumentKind.BLS, expires_on=early.starts_on - timedelta(1))
    application = make_application(student, department, cycle, blocks=[late, early])
    done, detail = _details(_checklist(application, None, {DocumentKind.BLS: bls}))["document_bls"]
    assert done is False
    assert detail == (
        f"Expires on {bls.expires_on:%b %-d, %Y}, before your first block starts on "
        f"{early.starts_on:%b %-d, %Y}. Upload a renewed one."
    )
    bls.expires_on = early.starts_on
    assert _details(_checklist(application, None, {DocumentKind.BLS: bls}))["document_bls"][0]


def test_window_closed_after_deadline(app):
    cycle = make_cycle(application_deadline=local_today() - timedelta(days=1))
    application = make_application(cycle=cycle)
    done, detail = _details(_checklist(application, None))["window"]
    assert done is False
    assert detail == (
        f"The application deadline for {cycle.name} was {cycle.application_deadline:%b %-d, %Y}; "
        "applications can no longer be submitted."
    )


def test_complete_application_checklist(app):
    cycle = make_cycle()
    department = make_department(required_documents="cv", letters_required=1)
    student = make_student()
    profile = make_profile(student, expected_graduation=date(cycle.rotations_end_on.year + 1, 5, 1))
    block = make_block(make_rotation(department), cycle)
    application = make_application(student, department, cycle, blocks=[block], statement="Hi.")
    cv = make_document(student, cycle, DocumentKind.CV)
    checklist = _checklist(application, profile, {DocumentKind.CV: cv}, received=1)
    assert checklist.missing == []
    assert checklist.complete is True
