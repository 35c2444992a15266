"""A student's affinity groups: seen only by those the student allowed, every staff view audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.audit.models import AuditEvent
from clerkship.core.rules import RuleViolation
from clerkship.extensions import db
from clerkship.mentorship import queries, services
from clerkship.mentorship.models import MentorKind
from clerkship.mentorship.services import directory, privacy
from tests import factories
from tests.conftest import body_of, login
from tests.mentorship.helpers import make_group, make_season

SECRET_GROUP = "Sentinel affinity group"


def _views(student) -> list[tuple[int, str]]:
    return [(e.actor_id, e.detail["context"]) for e in queries.affinity_views(student)]


def _setup(*, share: bool):
    cycle, department, _block, coordinator, student = make_season()
    group = make_group(SECRET_GROUP, "sentinel@example.org")
    privacy.choose_affinity_groups(student, {group.id: True}, by=student)
    request = services.ask_for_mentor(
        student,
        department,
        cycle,
        interests="research",
        share_affinity_with_staff=share,
        by=student,
    )
    people = {
        "coordinator": coordinator,
        "director": factories.make_user((Role.DIRECTOR, department)),
        "admin": factories.make_user(Role.ADMIN),
        "reviewer": factories.make_user((Role.REVIEWER, department)),
        "other_director": factories.make_user((Role.DIRECTOR, factories.make_department())),
        "committee": factories.make_user(Role.AWARD_COMMITTEE),
    }
    db.session.commit()
    return department, student, request, people


@pytest.mark.parametrize("share", [True, False])
def test_staff_see_affinity_groups_only_when_the_student_allowed(app, client, share):
    department, student, request, people = _setup(share=share)
    url = f"/departments/{department.slug}/mentorship/requests/{request.id}"
    seen = {}
    for role, user in people.items():
        login(client, user)
        response = client.get(url)
        seen[role] = (response.status_code, SECRET_GROUP in response.get_data(as_text=True))
    staff = {"coordinator", "director", "admin"}
    assert seen == {role: (200, share) if role in staff else (403, False) for role in people}
    expected = [(people[r].id, "mentor request page") for r in ("admin", "director", "coordinator")]
    assert _views(student) == (expected if share else [])


def test_every_view_is_one_audit_row(app, client):
    department, student, request, people = _setup(share=True)
    login(client, people["coordinator"])
    url = f"/departments/{department.slug}/mentorship/requests/{request.id}"
    client.get(url)
    client.get(url)
    assert _views(student) == [(people["coordinator"].id, "mentor request page")] * 2


def test_affinity_groups_never_reach_other_pages_or_the_mentor(app, client, mailbox):
    department, student, request, people = _setup(share=True)
    login(client, people["coordinator"])
    listing = client.get(f"/departments/{department.slug}/mentorship").get_data(as_text=True)
    assert SECRET_GROUP not in listing
    login(client, people["reviewer"])
    assert SECRET_GROUP not in client.get("/").get_data(as_text=True)
    mentor = directory.save_mentor(
        department,
        None,
        name="Dr. M",
        email="m@example.org",
        kind=MentorKind.FACULTY,
        capacity=1,
        offers="",
        active=True,
        by=people["coordinator"],
    )
    services.match_request(request, mentor, version=request.version, by=people["coordinator"])
    db.session.commit()
    assert SECRET_GROUP not in body_of(mailbox.last_to("m@example.org"))
    assert SECRET_GROUP not in body_of(mailbox.last_to(student.email))


def test_group_contact_receives_only_students_who_allowed_it(app, client, mailbox):
    _cycle, _department, _block, _coordinator, student = make_season()
    group = make_group(SECRET_GROUP, "sentinel@example.org")
    other_group = make_group("Another group", "another@example.org")
    shy = factories.make_student(full_name="Shy Student")
    elsewhere = factories.make_student(full_name="Elsewhere Student")
    privacy.choose_affinity_groups(student, {group.id: True}, by=student)
    privacy.choose_affinity_groups(shy, {group.id: False}, by=shy)
    privacy.choose_affinity_groups(elsewhere, {other_group.id: True}, by=elsewhere)
    admin = factories.make_user(Role.ADMIN)
    db.session.commit()
    login(client, admin)
    assert client.post(f"/admin/affinity-groups/{group.id}/send").status_code == 302
    body = body_of(mailbox.last_to("sentinel@example.org"))
    assert "Amara Okafor <amara@med.example.edu>" in body
    assert "Shy Student" not in body and "Elsewhere Student" not in body
    assert _views(student) == [(admin.id, "group contact list")]
    assert _views(shy) == []


def test_sending_an_empty_list_is_refused(app):
    group = make_group()
    with pytest.raises(RuleViolation, match="No student"):
        privacy.send_affinity_list(group, by=factories.make_user(Role.ADMIN))


def test_choices_keep_only_offered_groups_and_the_log_does_not_name_them(app, client):
    _cycle, _department, _block, _coordinator, student = make_season()
    group = make_group(SECRET_GROUP)
    login(client, student)
    response = client.post("/mentorship/affinity-groups", data={"share": str(group.id)})
    assert "Tick a group above too" in response.get_data(as_text=True)
    client.post("/mentorship/affinity-groups", data={"groups": str(group.id)})
    assert [(c.group_id, c.share_with_contact) for c in queries.affinity_choices(student)] == [
        (group.id, False)
    ]
    summaries = db.session.scalars(
        select(AuditEvent.summary).where(AuditEvent.subject_user_id == student.id)
    ).all()
    assert all(SECRET_GROUP not in s for s in summaries)
    client.post("/mentorship/affinity-groups", data={})
    assert queries.affinity_choices(student) == []
