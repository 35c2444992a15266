"""Asking, matching within capacity, introductions, first meetings, withdrawal and closing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from clerkship.applications.models import ApplicationState
from clerkship.audit.models import AuditEvent
from clerkship.core.rules import RuleViolation
from clerkship.core.time import local_today, utcnow
from clerkship.extensions import db
from clerkship.mentorship import queries, services
from clerkship.mentorship.models import MentorRequest, RequestState
from clerkship.mentorship.services import directory
from clerkship.outbox.models import OutboxMessage
from tests import factories
from tests.conftest import body_of
from tests.mentorship.helpers import make_mentor, make_season


def _ask(student, department, cycle, interests="research and ultrasound"):
    return services.ask_for_mentor(
        student, department, cycle, interests=interests, share_affinity_with_staff=False, by=student
    )


def test_eligibility_is_the_pathway_by_default(app):
    cycle, department, block, _coordinator, student = make_season()
    outsider = factories.make_student()
    factories.make_rotation_application(
        outsider, cycle, department, blocks=(block,), state=ApplicationState.SUBMITTED
    )
    with pytest.raises(RuleViolation):
        _ask(outsider, department, cycle)
    assert _ask(student, department, cycle).state is RequestState.OPEN
    assert queries.eligible_applications(outsider, cycle) == []


def test_eligibility_is_every_applicant_when_the_department_opens_it(app):
    cycle, department, block, coordinator, _student = make_season()
    outsider = factories.make_student()
    factories.make_rotation_application(
        outsider, cycle, department, blocks=(block,), state=ApplicationState.SUBMITTED
    )
    directory.set_open_to_all(department, True, by=coordinator)
    assert _ask(outsider, department, cycle).state is RequestState.OPEN


def test_no_mentor_without_a_live_application_in_the_department(app):
    cycle, department, block, coordinator, _student = make_season()
    directory.set_open_to_all(department, True, by=coordinator)
    drafting = factories.make_student()
    factories.make_rotation_application(drafting, cycle, department, blocks=(block,))
    declined = factories.make_student()
    factories.make_rotation_application(
        declined,
        cycle,
        department,
        blocks=(block,),
        state=ApplicationState.DECLINED,
        in_pathway=True,
    )
    for student in (drafting, declined):
        with pytest.raises(RuleViolation):
            _ask(student, department, cycle)
    other = factories.make_department()
    with pytest.raises(RuleViolation):
        _ask(factories.make_student(), other, cycle)


def test_asking_twice_keeps_one_request(app):
    cycle, department, _block, _coordinator, student = make_season()
    _ask(student, department, cycle)
    with pytest.raises(RuleViolation, match="already asked"):
        _ask(student, department, cycle)
    assert db.session.scalar(select(func.count(MentorRequest.id))) == 1


def test_a_withdrawn_request_can_be_asked_again(app):
    cycle, department, _block, _coordinator, student = make_season()
    request = _ask(student, department, cycle)
    services.withdraw_request(request, by=student)
    assert request.state is RequestState.WITHDRAWN
    again = _ask(student, department, cycle, interests="wellness")
    assert (again.id, again.state, again.interests) == (request.id, RequestState.OPEN, "wellness")


def test_match_refuses_a_mentor_at_capacity(app):
    cycle, department, block, coordinator, student = make_season()
    mentor = make_mentor(department, capacity=1)
    first = _ask(student, department, cycle)
    services.match_request(first, mentor, version=first.version, by=coordinator)
    second_student = factories.make_student()
    factories.make_rotation_application(
        second_student,
        cycle,
        department,
        blocks=(block,),
        state=ApplicationState.ACCEPTED,
        in_pathway=True,
    )
    second = _ask(second_student, department, cycle)
    with pytest.raises(RuleViolation, match="no place left"):
        services.match_request(second, mentor, version=second.version, by=coordinator)
    assert queries.taken_by(mentor, cycle) == 1
    assert [c.mentor_id for c in queries.candidates(department, cycle) if c.free] == []


def test_capacity_counts_per_cycle_and_frees_on_withdrawal(app):
    cycle, department, _block, coordinator, student = make_season()
    mentor = make_mentor(department, capacity=1)
    request = _ask(student, department, cycle)
    services.match_request(request, mentor, version=request.version, by=coordinator)
    services.withdraw_request(request, by=student)
    assert queries.taken_by(mentor, cycle) == 0
    later = factories.make_cycle(slug="later-cycle", name="Later")
    assert queries.taken_by(mentor, later) == 0


def test_match_twice_matches_once_and_introduces_once(app, mailbox):
    cycle, department, _block, coordinator, student = make_season()
    mentor = make_mentor(
        department, capacity=3, name="Dr. Ben Osei", email="ben.osei@hospital.example.org"
    )
    request = _ask(student, department, cycle)
    version = request.version
    services.match_request(request, mentor, version=version, by=coordinator)
    with pytest.raises(RuleViolation, match="no longer waiting"):
        services.match_request(request, mentor, version=version, by=coordinator)
    db.session.commit()
    assert queries.taken_by(mentor, cycle) == 1
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 2
    assert [m["To"] for m in mailbox.messages] == [student.email, mentor.email]


def test_introduction_emails_reach_both(app, mailbox):
    cycle, department, _block, coordinator, student = make_season()
    mentor = make_mentor(
        department, name="Dr. Ben Osei", email="ben.osei@hospital.example.org", offers="research"
    )
    request = _ask(student, department, cycle, interests="Emergency ultrasound research")
    services.match_request(request, mentor, version=request.version, by=coordinator)
    db.session.commit()
    to_student = body_of(mailbox.last_to(student.email))
    to_mentor = body_of(mailbox.last_to(mentor.email))
    assert "Dr. Ben Osei (resident" in to_student
    assert "ben.osei@hospital.example.org" in to_student
    assert f"{app.config['BASE_URL'].rstrip('/')}/mentorship/" in to_student
    assert "Amara Okafor" in to_mentor and "Emergency ultrasound research" in to_mentor
    assert f"{app.config['BASE_URL'].rstrip('/')}/mentorship/mentees" in to_mentor


def test_match_refuses_a_stale_page(app):
    cycle, department, _block, coordinator, student = make_season()
    mentor = make_mentor(department)
    request = _ask(student, department, cycle)
    with pytest.raises(RuleViolation, match="changed by someone else"):
        services.match_request(request, mentor, version=request.version + 1, by=coordinator)


def test_match_refuses_another_departments_or_inactive_mentor(app):
    cycle, department, _block, coordinator, student = make_season()
    elsewhere = make_mentor(factories.make_department())
    resting = make_mentor(department, active=False)
    request = _ask(student, department, cycle)
    for mentor in (elsewhere, resting):
        with pytest.raises(RuleViolation, match="active mentor of this department"):
            services.match_request(request, mentor, version=request.version, by=coordinator)


def test_first_meeting_not_before_the_match_nor_in_the_future(app):
    cycle, department, _block, coordinator, student = make_season()
    mentor = make_mentor(department)
    request = _ask(student, department, cycle)
    with pytest.raises(RuleViolation, match="Only a matched pair"):
        services.record_first_meeting(request, local_today(), by=coordinator)
    services.match_request(request, mentor, version=request.version, by=coordinator)
    with pytest.raises(RuleViolation, match="before the match"):
        services.record_first_meeting(request, local_today() - timedelta(days=1), by=coordinator)
    with pytest.raises(RuleViolation, match="future"):
        services.record_first_meeting(request, local_today() + timedelta(days=1), by=coordinator)
    services.record_first_meeting(request, local_today(), by=coordinator)
    assert request.first_meeting_on == local_today()


def test_first_meeting_after_an_earlier_match(app):
    cycle, department, _block, coordinator, student = make_season()
    request = _ask(student, department, cycle)
    services.match_request(
        request, make_mentor(department), version=request.version, by=coordinator
    )
    request.matched_at = utcnow() - timedelta(days=10)
    services.record_first_meeting(request, local_today() - timedelta(days=3), by=coordinator)
    assert request.first_meeting_on == local_today() - timedelta(days=3)


def test_close_needs_a_reason_and_tells_the_student(app, mailbox):
    cycle, department, _block, coordinator, student = make_season()
    request = _ask(student, department, cycle)
    with pytest.raises(RuleViolation, match="reason"):
        services.close_request(request, reason="  ", by=coordinator)
    services.close_request(request, reason="No mentor speaks Portuguese this year.", by=coordinator)
    db.session.commit()
    assert request.state is RequestState.CLOSED
    assert "No mentor speaks Portuguese this year." in body_of(mailbox.last_to(student.email))
    with pytest.raises(RuleViolation, match="no longer open"):
        services.withdraw_request(request, by=student)


def test_every_change_is_in_the_audit_log(app):
    cycle, department, _block, coordinator, student = make_season()
    request = _ask(student, department, cycle)
    services.match_request(
        request, make_mentor(department), version=request.version, by=coordinator
    )
    services.record_first_meeting(request, local_today(), by=coordinator)
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.subject_user_id == student.id)
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["mentorship.requested", "mentorship.matched", "mentorship.first_meeting"]


def test_the_mentor_learns_that_a_pair_ended_but_not_why(app, mailbox):
    cycle, department, block, coordinator, student = make_season()
    mentor = make_mentor(department, capacity=2, email="ben.osei@hospital.example.org")
    request = _ask(student, department, cycle)
    services.match_request(request, mentor, version=request.version, by=coordinator)
    services.withdraw_request(request, by=student)
    other = factories.make_student(full_name="Luis Hernandez")
    factories.make_rotation_application(
        other, cycle, department, blocks=(block,), state=ApplicationState.ACCEPTED, in_pathway=True
    )
    second = _ask(other, department, cycle)
    services.match_request(second, mentor, version=second.version, by=coordinator)
    services.close_request(second, reason="Private reason for the student", by=coordinator)
    db.session.commit()
    bodies = [body_of(m) for m in mailbox.to(mentor.email)]
    assert len(bodies) == 4  # two introductions, two endings
    assert "Amara Okafor has withdrawn their request" in bodies[1]
    assert "closed Luis Hernandez's request" in bodies[3]
    assert "Private reason" not in bodies[3]


def test_an_open_request_withdrawn_emails_nobody(app, mailbox):
    cycle, department, _block, _coordinator, student = make_season()
    services.withdraw_request(_ask(student, department, cycle), by=student)
    db.session.commit()
    assert mailbox.messages == []
