"""The pathway's rules: who is in, the director's override, the versioned definition."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from clerkship.accounts.models import Role
from clerkship.applications.models import ApplicationState
from clerkship.audit.models import AuditEvent
from clerkship.awards.models import AwardState
from clerkship.core.rules import RuleViolation
from clerkship.core.time import utcnow
from clerkship.extensions import db
from clerkship.pathway import queries, services
from clerkship.pathway.models import (
    AAMC_DEFINITION,
    FlagDecision,
    Identification,
    PathwayConfig,
)
from clerkship.pathway.rules import automatic_flag, effective_flag
from tests.factories import (
    make_award_application,
    make_award_settings,
    make_cycle,
    make_department,
    make_rotation_application,
    make_self_identification,
    make_student,
    make_user,
)

pytestmark = pytest.mark.usefixtures("app")


@pytest.mark.parametrize(
    ("applicant", "identified", "decision", "expected"),
    [
        (False, False, None, False),
        (True, False, None, True),
        (False, True, None, True),
        (True, True, None, True),
        (False, False, FlagDecision.CONFIRMED, True),
        (True, True, FlagDecision.WITHDRAWN, False),
        (True, False, FlagDecision.AUTOMATIC, True),
        (False, False, FlagDecision.AUTOMATIC, False),
    ],
)
def test_effective_flag_follows_the_rules(applicant, identified, decision, expected):
    automatic = automatic_flag(award_applicant=applicant, self_identified=identified)
    assert effective_flag(automatic, decision) is expected


def _student_with_applications(count: int = 3):
    cycle = make_cycle()
    student = make_student()
    applications = [
        make_rotation_application(student, cycle, make_department()) for _ in range(count)
    ]
    return cycle, student, applications


def test_refresh_with_no_reason_leaves_every_application_out():
    cycle, student, applications = _student_with_applications()
    assert services.refresh_pathway_flags(student, cycle, by=None) == []
    assert [a.in_pathway for a in applications] == [False, False, False]


def test_award_applicant_is_in_the_pathway_for_every_application():
    cycle, student, applications = _student_with_applications()
    make_award_settings(cycle)
    make_award_application(applications[0], state=AwardState.SUBMITTED)
    changed = services.refresh_pathway_flags(student, cycle, by=student)
    assert sorted(a.id for a in changed) == sorted(a.id for a in applications)
    db.session.commit()
    assert [a.in_pathway for a in applications] == [True, True, True]
    events = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_user_id == student.id)
    ).all()
    assert events == ["pathway.flag_on"] * 3


def test_draft_or_withdrawn_award_application_does_not_count():
    cycle, student, applications = _student_with_applications(1)
    make_award_settings(cycle)
    make_award_application(applications[0], state=AwardState.WITHDRAWN)
    other = make_student()
    other_application = make_rotation_application(other, cycle, make_department())
    make_award_application(other_application, state=AwardState.DRAFT)
    services.refresh_pathway_flags(student, cycle, by=None)
    services.refresh_pathway_flags(other, cycle, by=None)
    assert (applications[0].in_pathway, other_application.in_pathway) == (False, False)


@pytest.mark.parametrize(
    ("identifies", "criteria", "expected"),
    [
        (Identification.YES, [], True),
        (Identification.NO, [], False),
        (Identification.NOT_SAID, [], False),
        (Identification.NO, ["First-generation college student"], True),
    ],
)
def test_self_identification_puts_in_by_yes_or_a_criterion(identifies, criteria, expected):
    cycle, student, applications = _student_with_applications(2)
    services.save_pathway_config(
        cycle,
        definition="Our definition.",
        categories=["Group A"],
        criteria=["First-generation college student"],
        by=make_user(Role.ADMIN),
    )
    services.save_self_identification(
        student,
        cycle,
        identifies=identifies,
        categories=[],
        criteria=criteria,
        version=None,
        by=student,
    )
    assert [a.in_pathway for a in applications] == [expected, expected]


def test_self_identification_refuses_categories_with_a_no():
    cycle, student, _ = _student_with_applications(1)
    with pytest.raises(RuleViolation) as refused:
        services.save_self_identification(
            student,
            cycle,
            identifies=Identification.NO,
            categories=["Black or African American"],
            criteria=[],
            version=None,
            by=student,
        )
    assert refused.value.field == "categories"
    assert refused.value.message == (
        "The categories describe a Yes answer: answer Yes above, or untick them."
    )


def test_self_identification_refuses_a_category_not_offered():
    cycle, student, _ = _student_with_applications(1)
    with pytest.raises(RuleViolation) as refused:
        services.save_self_identification(
            student,
            cycle,
            identifies=Identification.YES,
            categories=["Made up"],
            criteria=[],
            version=None,
            by=student,
        )
    assert (refused.value.field, refused.value.message) == (
        "categories",
        "Choose categories from the list.",
    )


def test_removing_answers_takes_a_non_applicant_out():
    cycle, student, applications = _student_with_applications(2)
    answers = make_self_identification(student, cycle)
    services.refresh_pathway_flags(student, cycle, by=None)
    assert [a.in_pathway for a in applications] == [True, True]
    services.remove_self_identification(answers, by=student)
    assert [a.in_pathway for a in applications] == [False, False]
    assert queries.self_identification(student, cycle) is None


def test_director_decision_overrides_and_emails_the_student(mailbox):
    cycle, student, applications = _student_with_applications(2)
    director = make_user((Role.DIRECTOR, applications[0].department))
    make_self_identification(student, cycle)
    services.refresh_pathway_flags(student, cycle, by=None)
    services.decide_pathway_flag(
        applications[0],
        decision=FlagDecision.WITHDRAWN,
        reason="The student asked us to consider them for open seats only.",
        version="0",
        by=director,
    )
    db.session.commit()
    assert [a.in_pathway for a in applications] == [False, True]
    message = mailbox.last_to(student.email)
    assert (
        message["Subject"] == f"{applications[0].department.name} visiting clerkship: UIM pathway"
    )
    assert "The student asked us to consider them for open seats only." in message.get_content()
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "pathway.decision.withdrawn")
    )
    assert event.detail["reason"] == "The student asked us to consider them for open seats only."


def test_director_decision_survives_later_refreshes_until_returned_to_the_rule():
    cycle, student, applications = _student_with_applications(1)
    director = make_user((Role.DIRECTOR, applications[0].department))
    decision = services.decide_pathway_flag(
        applications[0],
        decision=FlagDecision.CONFIRMED,
        reason="Met in person.",
        version="0",
        by=director,
    )
    services.refresh_pathway_flags(student, cycle, by=None)
    assert applications[0].in_pathway is True
    services.decide_pathway_flag(
        applications[0],
        decision=FlagDecision.AUTOMATIC,
        reason="Back to the rule.",
        version=str(decision.id),
        by=director,
    )
    assert applications[0].in_pathway is False


def test_director_decision_from_a_stale_page_is_refused():
    _cycle, _student, applications = _student_with_applications(1)
    director = make_user((Role.DIRECTOR, applications[0].department))
    services.decide_pathway_flag(
        applications[0], decision=FlagDecision.CONFIRMED, reason="First.", version="0", by=director
    )
    with pytest.raises(RuleViolation) as refused:
        services.decide_pathway_flag(
            applications[0],
            decision=FlagDecision.WITHDRAWN,
            reason="Second.",
            version="0",
            by=director,
        )
    assert refused.value.message.startswith(
        "Someone decided on this flag after you opened the page."
    )


def test_director_decision_needs_a_reason():
    _cycle, _student, applications = _student_with_applications(1)
    director = make_user((Role.DIRECTOR, applications[0].department))
    with pytest.raises(RuleViolation) as refused:
        services.decide_pathway_flag(
            applications[0], decision=FlagDecision.CONFIRMED, reason="   ", version="0", by=director
        )
    assert (refused.value.field, refused.value.message) == (
        "reason",
        "Write the reason for your decision.",
    )


def test_flag_change_does_not_make_the_students_application_form_stale():
    cycle, student, applications = _student_with_applications(1)
    version = applications[0].version
    make_self_identification(student, cycle)
    services.refresh_pathway_flags(student, cycle, by=None)
    db.session.commit()
    assert (applications[0].in_pathway, applications[0].version) == (True, version)


def test_closed_cycle_flags_do_not_change():
    cycle, student, applications = _student_with_applications(1)
    make_self_identification(student, cycle)
    cycle.closed_at = utcnow()
    assert services.refresh_pathway_flags(student, cycle, by=None) == []
    assert applications[0].in_pathway is False


def test_config_edited_in_place_before_anyone_applied():
    cycle = make_cycle()
    admin = make_user(Role.ADMIN)
    first, kept = services.save_pathway_config(
        cycle, definition="One.", categories=["A"], criteria=[], by=admin
    )
    second, kept_again = services.save_pathway_config(
        cycle, definition="Two.", categories=["A", "B"], criteria=["C"], by=admin
    )
    assert (first.id, second.number, second.definition, kept, kept_again) == (
        second.id,
        1,
        "Two.",
        0,
        0,
    )


def test_config_change_after_answers_is_a_new_version_and_answers_keep_theirs():
    cycle, student, _ = _student_with_applications(1)
    admin = make_user(Role.ADMIN)
    answers = make_self_identification(student, cycle, categories=["Black or African American"])
    old = answers.config
    new, kept = services.save_pathway_config(
        cycle,
        definition="A race-neutral definition.",
        categories=[],
        criteria=["First-generation"],
        by=admin,
    )
    db.session.commit()
    assert (new.number, kept, answers.config_id, old.definition) == (
        2,
        1,
        old.id,
        "Underrepresented in medicine means those racial and ethnic populations that are "
        "underrepresented in the medical profession relative to their numbers in the general "
        "population.",
    )
    assert answers.categories == ["Black or African American"]
    assert db.session.scalar(select(func.count(PathwayConfig.id))) == 2
    action = db.session.scalar(
        select(AuditEvent.action).where(AuditEvent.action.like("pathway.config%"))
    )
    assert action == "pathway.config.version"


def test_config_change_after_applications_without_answers_is_a_new_version():
    cycle, _student, _ = _student_with_applications(1)
    admin = make_user(Role.ADMIN)
    first, _ = services.save_pathway_config(
        cycle, definition="One.", categories=[], criteria=[], by=admin
    )
    new, kept = services.save_pathway_config(
        cycle, definition="Two.", categories=[], criteria=[], by=admin
    )
    # The default students applied under is kept as version 1.
    assert [(c.number, c.definition) for c in queries.config_versions(cycle)] == [
        (3, "Two."),
        (2, "One."),
        (1, AAMC_DEFINITION),
    ]
    assert (first.number, new.number, kept) == (2, 3, 0)


def test_unchanged_config_is_not_a_new_version():
    cycle, _student, _ = _student_with_applications(1)
    admin = make_user(Role.ADMIN)
    first, _ = services.save_pathway_config(
        cycle, definition="One.", categories=[], criteria=[], by=admin
    )
    again, _ = services.save_pathway_config(
        cycle, definition="One.", categories=[], criteria=[], by=admin
    )
    assert again.id == first.id


def test_closed_cycle_refuses_answers():
    cycle, student, _ = _student_with_applications(1)
    cycle.closed_at = utcnow()
    with pytest.raises(RuleViolation) as refused:
        services.save_self_identification(
            student,
            cycle,
            identifies=Identification.YES,
            categories=[],
            criteria=[],
            version=None,
            by=student,
        )
    assert (
        refused.value.message
        == f"The {cycle.name} cycle is closed; its pathway can no longer change."
    )


def test_reserved_seat_departments_lists_open_flagged_applications():
    cycle, student, applications = _student_with_applications(3)
    applications[2].state = ApplicationState.WITHDRAWN
    make_self_identification(student, cycle)
    services.refresh_pathway_flags(student, cycle, by=None)
    names = [d.name for d in queries.reserved_seat_departments(student, cycle)]
    assert names == sorted(a.department.name for a in applications[:2])
