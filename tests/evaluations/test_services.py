"""The evaluation: form versions, assigning faculty, drafts, finalising, sending to the home
school through a link that expires in 14 days, is revoked on re-send, and audits downloads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from clerkship.accounts.models import Role
from clerkship.audit.models import AuditEvent
from clerkship.core.rules import RuleViolation
from clerkship.core.time import local_today, utcnow
from clerkship.evaluations import queries, services
from clerkship.evaluations.models import EvaluationState
from clerkship.extensions import db
from clerkship.rotations.models import RotationState
from tests.conftest import body_of, drain_outbox
from tests.evaluations.helpers import ready_evaluation, save_form, write_complete_draft
from tests.factories import make_department, make_user

pytestmark = pytest.mark.usefixtures("app")


def test_saving_the_form_adds_a_version_and_an_evaluation_keeps_its_own():
    ready = ready_evaluation()
    assert (ready.form.number, [c.name for c in ready.form.criteria]) == (
        1,
        ["Patient care", "Communication"],
    )
    assert ready.form.criteria[0].anchor(3) == "Patient care: beyond"
    second = save_form(ready.department, ready.director, "Professionalism", based_on=ready.form.id)
    assert (second.number, queries.current_form(ready.department)) == (2, second)
    assert ready.evaluation.form_version == ready.form
    assert [c.name for c in ready.evaluation.form_version.criteria] == [
        "Patient care",
        "Communication",
    ]


def test_a_form_saved_from_a_stale_page_is_refused():
    ready = ready_evaluation()
    save_form(ready.department, ready.director, based_on=ready.form.id)
    with pytest.raises(RuleViolation) as refused:
        save_form(ready.department, ready.director, based_on=ready.form.id)
    assert refused.value.message == services.STALE


@pytest.mark.parametrize(
    ("grades", "message"),
    [
        (["Pass"], "List at least two grades, one a line."),
        (["Pass", "pass"], "Each grade appears once."),
    ],
)
def test_a_grading_scale_needs_two_distinct_grades(grades, message):
    department = make_department()
    director = make_user((Role.DIRECTOR, department))
    with pytest.raises(RuleViolation) as refused:
        save_form(department, director, grades=grades)
    assert (refused.value.field, refused.value.message) == ("grades", message)


def test_assigning_emails_the_faculty_and_refuses_someone_from_elsewhere(mailbox, app):
    ready = ready_evaluation()
    second = make_user((Role.REVIEWER, ready.department), full_name="Dr. Sam Second")
    services.assign_faculty(ready.placement, second, by=ready.director)
    assert sorted(a.faculty.full_name for a in ready.evaluation.assignments) == [
        "Dr. Farah Faculty",
        "Dr. Sam Second",
    ]
    outsider = make_user((Role.REVIEWER, make_department()))
    with pytest.raises(RuleViolation) as refused:
        services.assign_faculty(ready.placement, outsider, by=ready.director)
    assert refused.value.field == "faculty_id"
    db.session.commit()
    drain_outbox(app)
    assert [m["Subject"] for m in mailbox.to(second.email)] == [
        f"{ready.department.name}: please evaluate a visiting student"
    ]


def test_a_draft_is_saved_and_refuses_a_level_or_grade_off_the_form():
    ready = ready_evaluation()
    write_complete_draft(ready)
    assert (ready.evaluation.grade, ready.evaluation.state) == ("Honors", EvaluationState.DRAFT)
    criterion = ready.form.criteria[0]
    with pytest.raises(RuleViolation) as refused:
        services.save_draft(
            ready.evaluation,
            levels={criterion.id: 9},
            grade="",
            narrative="",
            by=ready.faculty,
            today=local_today(),
        )
    assert refused.value.field == f"criterion_{criterion.id}"
    with pytest.raises(RuleViolation) as refused:
        services.save_draft(
            ready.evaluation,
            levels={},
            grade="A+",
            narrative="",
            by=ready.faculty,
            today=local_today(),
        )
    assert refused.value.field == "grade"


def test_a_draft_waits_for_the_block_to_start():
    ready = ready_evaluation()
    block = ready.placement.block
    with pytest.raises(RuleViolation) as refused:
        services.save_draft(
            ready.evaluation,
            levels={},
            grade="",
            narrative="x",
            by=ready.faculty,
            today=block.starts_on - timedelta(days=1),
        )
    assert refused.value.message == (
        f"The rotation starts on {block.starts_on:%B %-d, %Y}; the evaluation is written "
        "during or after it."
    )


def test_finalising_needs_every_level_a_grade_a_narrative_and_the_rotation_over():
    ready = ready_evaluation(rotation=RotationState.ARRIVED)
    write_complete_draft(ready)
    with pytest.raises(RuleViolation) as refused:
        services.finalise(ready.evaluation, by=ready.director)
    assert refused.value.message.startswith("Record the rotation's completion")
    ready = ready_evaluation()
    services.save_draft(
        ready.evaluation,
        levels={ready.form.criteria[0].id: 2},
        grade="Pass",
        narrative="Good.",
        by=ready.faculty,
        today=local_today(),
    )
    with pytest.raises(RuleViolation) as refused:
        services.finalise(ready.evaluation, by=ready.director)
    assert refused.value.message == "Rate every criterion first; Communication has no level."
    write_complete_draft(ready)
    services.finalise(ready.evaluation, by=ready.director)
    assert ready.evaluation.state is EvaluationState.FINALISED
    with pytest.raises(RuleViolation):
        write_complete_draft(ready)


def _sent(ready):
    write_complete_draft(ready)
    services.finalise(ready.evaluation, by=ready.director)
    return services.send_to_home_school(ready.evaluation, by=ready.director, now=utcnow())


def test_the_final_evaluation_is_emailed_to_the_home_schools_contact(app, mailbox):
    ready = ready_evaluation()
    app.config["BASE_URL"] = "https://clerkships.example.edu"
    from flask import current_app

    current_app.config["BASE_URL"] = "https://clerkships.example.edu"
    link = _sent(ready)
    db.session.commit()
    drain_outbox(app)
    (message,) = mailbox.to("registrar@howard.example.edu")
    assert message["Subject"] == f"{ready.department.name}: evaluation of Imani Brooks"
    body = body_of(message)
    assert "https://clerkships.example.edu/evaluation-link/" in body
    assert (ready.evaluation.state, link.sent_to, link.expires_at - link.created_at) == (
        EvaluationState.SENT,
        "registrar@howard.example.edu",
        timedelta(days=14),
    )


def test_sending_without_a_chosen_school_is_refused():
    ready = ready_evaluation()
    from clerkship.evaluations.models import StudentHomeSchool

    db.session.execute(StudentHomeSchool.__table__.delete())
    write_complete_draft(ready)
    services.finalise(ready.evaluation, by=ready.director)
    with pytest.raises(RuleViolation) as refused:
        services.send_to_home_school(ready.evaluation, by=ready.director, now=utcnow())
    assert refused.value.message.startswith("Imani Brooks has not chosen a home school")


def _token_of(link, app, mailbox) -> str:
    db.session.commit()
    drain_outbox(app)
    body = body_of(mailbox.to("registrar@howard.example.edu")[-1])
    return body.split("/evaluation-link/", 1)[1].split()[0]


def test_a_link_expires_after_14_days(app, mailbox):
    ready = ready_evaluation()
    token = _token_of(_sent(ready), app, mailbox)
    assert services.link_for(token, now=utcnow()).evaluation_id == ready.evaluation.id
    with freeze_time(timedelta(days=13, hours=23), tick=True):
        assert services.link_for(token, now=utcnow())
    with (
        freeze_time(timedelta(days=14, minutes=1), tick=True),
        pytest.raises(services.LinkProblem) as problem,
    ):
        services.link_for(token, now=utcnow())
    assert problem.value.message.startswith("This link has expired")


def test_sending_again_revokes_the_previous_link(app, mailbox):
    ready = ready_evaluation()
    first = _token_of(_sent(ready), app, mailbox)
    services.send_to_home_school(ready.evaluation, by=ready.director, now=utcnow())
    second = _token_of(None, app, mailbox)
    assert first != second
    with pytest.raises(services.LinkProblem) as problem:
        services.link_for(first, now=utcnow())
    assert problem.value.message.startswith("This link was replaced by a newer one")
    assert services.link_for(second, now=utcnow())


def test_each_download_is_audited():
    ready = ready_evaluation()
    link = _sent(ready)
    services.record_download(link, now=utcnow())
    services.record_download(link, now=utcnow())
    events = db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "evaluation.downloaded")
    )
    assert (events, link.downloads) == (2, 2)
