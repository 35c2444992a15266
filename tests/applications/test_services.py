"""Services of the application's life: start, ranked blocks, statement, submit, withdraw."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from clerkship.applications import services
from clerkship.applications.models import Application, ApplicationState
from clerkship.applications.services import drafts
from clerkship.audit.models import AuditEvent
from clerkship.core.rules import RuleViolation
from clerkship.core.time import local_today
from clerkship.extensions import db
from tests.conftest import body_of, link_in
from tests.factories import (
    make_application,
    make_block,
    make_complete_draft,
    make_cycle,
    make_department,
    make_rotation,
    make_student,
)

S = ApplicationState


def test_start_application_creates_draft_with_timeline(app):
    cycle, department = make_cycle(), make_department(name="Psychiatry")
    make_block(make_rotation(department), cycle)
    student = make_student()
    application, created = services.start_application(student, cycle, department, by=student)
    assert created is True
    assert application.state == S.DRAFT
    assert [(e.from_state, e.to_state, e.note) for e in application.events] == [
        (None, S.DRAFT, "Draft started")
    ]
    again, created_again = services.start_application(student, cycle, department, by=student)
    assert (again.id, created_again) == (application.id, False)
    assert db.session.scalar(select(func.count(Application.id))) == 1


def test_start_application_refused_outside_window(app):
    cycle = make_cycle(open_now=False)
    department = make_department()
    make_block(make_rotation(department), cycle)
    with pytest.raises(RuleViolation) as refused:
        services.start_application(make_student(), cycle, department, by=None)
    assert refused.value.message == (
        f"Applications for {cycle.name} open on {cycle.applications_open_on:%b %-d, %Y}."
    )


def test_start_application_refused_without_blocks(app):
    department = make_department(name="Pediatrics")
    cycle = make_cycle()
    with pytest.raises(RuleViolation) as refused:
        services.start_application(make_student(), cycle, department, by=None)
    assert refused.value.message == f"Pediatrics offers no blocks in {cycle.name} yet."


@pytest.fixture
def draft(app):
    cycle = make_cycle()
    department = make_department(name="Emergency Medicine", max_choices=3)
    rotation = make_rotation(department)
    blocks = [make_block(rotation, cycle, month=m) for m in (7, 8, 9, 10)]
    application = make_application(department=department, cycle=cycle)
    return application, blocks


def _ranked(application) -> list[int]:
    db.session.refresh(application)
    return [c.block_id for c in sorted(application.choices, key=lambda c: c.rank)]


def test_choices_add_move_remove_keep_ranks_contiguous(draft):
    application, (a, b, c, _d) = draft
    student = application.student
    for block in (a, b, c):
        drafts.add_choice(application, block, version=application.version, by=student)
    assert _ranked(application) == [a.id, b.id, c.id]
    drafts.move_choice(application, c.id, offset=-1, version=application.version, by=student)
    drafts.move_choice(application, c.id, offset=-1, version=application.version, by=student)
    assert _ranked(application) == [c.id, a.id, b.id]
    drafts.move_choice(application, c.id, offset=-1, version=application.version, by=student)
    assert _ranked(application) == [c.id, a.id, b.id]  # already first: nothing moves
    drafts.remove_choice(application, a.id, version=application.version, by=student)
    assert _ranked(application) == [c.id, b.id]
    assert sorted(ch.rank for ch in application.choices) == [1, 2]


def test_choice_beyond_department_limit_is_refused(draft):
    application, blocks = draft
    for block in blocks[:3]:
        drafts.add_choice(application, block, version=application.version, by=None)
    with pytest.raises(RuleViolation) as refused:
        drafts.add_choice(application, blocks[3], version=application.version, by=None)
    assert refused.value.message == (
        "You can rank at most 3 blocks for Emergency Medicine. Remove one before adding another."
    )


def test_block_of_another_department_or_twice_is_refused(draft):
    application, blocks = draft
    foreign = make_block(make_rotation(), application.cycle)
    with pytest.raises(RuleViolation, match="Choose one of the blocks Emergency Medicine offers"):
        drafts.add_choice(application, foreign, version=application.version, by=None)
    drafts.add_choice(application, blocks[0], version=application.version, by=None)
    with pytest.raises(RuleViolation) as twice:
        drafts.add_choice(application, blocks[0], version=application.version, by=None)
    assert twice.value.message == f"{blocks[0].label} is already in your list."


def test_stale_version_is_refused_and_changes_nothing(draft):
    application, blocks = draft
    stale = application.version
    drafts.add_choice(application, blocks[0], version=stale, by=None)
    with pytest.raises(RuleViolation) as refused:
        drafts.add_choice(application, blocks[1], version=stale, by=None)
    assert refused.value.message == services.STALE_MESSAGE
    assert _ranked(application) == [blocks[0].id]


def test_statement_over_limit_is_saved_as_draft(draft):
    application, _ = draft
    application.department.statement_word_limit = 50
    words = drafts.save_statement(application, "word " * 60, version=application.version, by=None)
    assert words == 60
    assert application.personal_statement == ("word " * 60).strip()


def test_submit_incomplete_lists_what_is_missing(draft):
    application, _ = draft
    with pytest.raises(RuleViolation) as refused:
        services.submit_application(application, version=application.version, by=None)
    message = refused.value.message
    assert message.startswith("Your application cannot be submitted yet. Your profile: Missing:")
    assert "Blocks ranked: Choose and rank at least one block." in message
    assert "CV: Not uploaded yet." in message
    assert "Letters of recommendation: 0 of 1 received. Ask a writer for a letter." in message
    assert application.state == S.DRAFT


def test_submit_complete_draft_emails_student_with_status_link(app, client, mailbox):
    application = make_complete_draft()
    event = services.submit_application(application, version=application.version, by=None)
    db.session.commit()
    assert (event.from_state, event.to_state) == (S.DRAFT, S.SUBMITTED)
    assert application.submitted_at is not None
    message = mailbox.last_to(application.student.email)
    assert message["Subject"] == f"{application.department.name} visiting clerkship: submitted"
    assert "Your application is submitted." in body_of(message)
    assert link_in(message) == (f"http://clerkship.example.org/applications/{application.id}")
    assert services.submit_application(application, version=None, by=None) is None


def test_submit_after_deadline_is_refused(app):
    application = make_complete_draft()
    application.cycle.application_deadline = local_today() - timedelta(days=1)
    with pytest.raises(RuleViolation) as refused:
        services.submit_application(application, version=application.version, by=None)
    assert refused.value.message == (
        "Your application cannot be submitted yet. Application window open: The application "
        f"deadline for {application.cycle.name} was "
        f"{application.cycle.application_deadline:%b %-d, %Y}; applications can no longer be "
        "submitted."
    )


def test_withdraw_records_reason_and_audit(app, mailbox):
    application = make_application(state=S.SUBMITTED)
    event = services.withdraw_application(application, by=application.student, reason=" Moving ")
    db.session.commit()
    assert (event.to_state, event.note) == (S.WITHDRAWN, "Moving")
    assert services.withdraw_application(application, by=application.student) is None
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions == ["application.withdrawn"]
    assert mailbox.last_to(application.student.email)["Subject"].endswith(": withdrawn")


def test_final_application_cannot_be_withdrawn(app):
    application = make_application(state=S.NOT_SELECTED)
    with pytest.raises(RuleViolation) as refused:
        services.withdraw_application(application, by=None)
    assert (
        refused.value.message == "This application is not selected; it can no longer be withdrawn."
    )
