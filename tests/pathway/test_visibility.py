"""Who sees self-identification answers and the flag, by role, on every page that could show them.

docs/design.md ("The UIM pathway", rule 5): the student sees their own answers; the award committee and admins see
them (each view audited); directors and coordinators of the department see only the flag;
reviewers, other students and other departments see neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from flask import render_template
from flask_login import login_user
from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.audit.models import AuditEvent
from clerkship.awards.models import AwardState
from clerkship.extensions import db
from clerkship.pathway import queries, services
from clerkship.pathway.models import Identification
from tests.conftest import login
from tests.factories import (
    make_award_application,
    make_award_settings,
    make_eligible_profile,
    make_self_identification,
    make_user,
)
from tests.pathway.matrix import pathway_world
from tests.world import ROLES, build_world

CATEGORY = "Sentinel population of the visibility test"
CRITERION = "Sentinel criterion of the visibility test"
FLAG = "badge-pathway"
# Students read the categories and criteria offered (they are the cycle's public
# configuration); an answer shows as a ticked box or as a listed value.
TICKED = re.compile(r'<input checked[^>]*value="Sentinel')
LISTED = re.compile(r'<dd class="col-sm-8">[^<]*Sentinel')
STUDENT_ROLES = frozenset({"student", "other_student"})


def shows_answers(html: str) -> bool:
    """Whether a page shows the student's answers (not merely the options offered)."""
    return bool(TICKED.search(html) or LISTED.search(html))


@dataclass(frozen=True)
class Page:
    name: str
    answers: frozenset[str]  # roles who see the answers on it
    flag: frozenset[str]  # roles who see the flag on it
    audited: frozenset[str] | None = None  # roles whose opening is audited (default: answers)


STAFF_FLAG = frozenset({"director", "coordinator", "committee", "admin"})
PAGES = [
    Page("student overview", frozenset(), frozenset({"student"})),
    # Each student opens their own answers there (the other student's are empty).
    Page(
        "student self-identification",
        frozenset({"student"}),
        frozenset(),
        audited=frozenset({"student", "other_student"}),
    ),
    Page("student award page", frozenset(), frozenset()),
    Page("answers page", frozenset({"committee", "admin"}), frozenset()),
    Page("committee award page", frozenset(), frozenset({"committee", "admin"})),
    Page("committee list", frozenset(), frozenset()),
    Page("department pathway list", frozenset(), STAFF_FLAG),
    Page("flag page", frozenset(), STAFF_FLAG),
    Page("department award recipients", frozenset(), frozenset()),
    Page("audit log", frozenset(), frozenset()),
    Page("answer views", frozenset(), frozenset()),
    Page("start page", frozenset(), frozenset()),
]


@pytest.fixture
def world(app):
    world = build_world()
    admin = world.users["admin"]
    services.save_pathway_config(
        world.cycle,
        definition="Our definition.",
        categories=[CATEGORY],
        criteria=[CRITERION],
        by=admin,
    )
    application = pathway_world(world)["application"]
    student = world.users["student"]
    make_self_identification(
        student,
        world.cycle,
        identifies=Identification.YES,
        categories=[CATEGORY],
        criteria=[CRITERION],
    )
    make_award_settings(world.cycle)
    make_eligible_profile(student, world.cycle)
    award = make_award_application(application, state=AwardState.AWARDED, amount=2000_00)
    services.refresh_pathway_flags(student, world.cycle, by=None)
    db.session.commit()
    assert application.in_pathway is True
    world.extra["award"] = award
    return world


def _url(world, page: str) -> str:
    cycle, department = world.cycle.slug, world.department.slug
    application = world.extra["pathway"]["application"]
    return {
        "student overview": f"/pathway/{cycle}/",
        "student self-identification": f"/pathway/{cycle}/self-identification",
        "student award page": f"/awards/{cycle}/",
        "answers page": f"/pathway/{cycle}/students/{world.users['student'].id}/answers",
        "committee award page": f"/awards/applications/{world.extra['award'].id}",
        "committee list": f"/awards/{cycle}/committee/",
        "department pathway list": f"/departments/{department}/pathway?cycle={cycle}",
        "flag page": f"/departments/{department}/applications/{application.id}/pathway",
        "department award recipients": f"/departments/{department}/awards?cycle={cycle}",
        "audit log": "/admin/audit/",
        "answer views": "/admin/pathway/answer-views",
        "start page": "/",
    }[page]


def _views_by(user_id) -> int:
    return len(
        db.session.scalars(
            select(AuditEvent.id).where(
                AuditEvent.action == queries.ANSWERS_VIEWED, AuditEvent.actor_id == user_id
            )
        ).all()
    )


@pytest.mark.parametrize("screen", PAGES, ids=lambda p: p.name)
def test_visibility_matrix(app, world, screen):
    seen_answers, seen_flag, audited = set(), set(), set()
    for role in ROLES:
        client = app.test_client()
        user = world.users.get(role)
        if user is not None:
            login(client, user)
        before = _views_by(user.id) if user else 0
        response = client.get(_url(world, screen.name))
        assert response.status_code < 500
        html = response.get_data(as_text=True)
        if shows_answers(html):
            seen_answers.add(role)
        if role not in STUDENT_ROLES | screen.answers:
            assert "Sentinel" not in html, role
        if FLAG in html:
            seen_flag.add(role)
        db.session.rollback()
        if user is not None and _views_by(user.id) == before + 1:
            audited.add(role)
    assert (seen_answers, seen_flag) == (set(screen.answers), set(screen.flag))
    # Every view of the answers is audited, and nothing else pretends to be one.
    assert audited == set(screen.answers if screen.audited is None else screen.audited)


def _render(app, user, template: str, application) -> str:
    with app.test_request_context("/"):
        if user is not None:
            login_user(user)
        return render_template(template, application=application)


@pytest.mark.parametrize(
    ("template", "flag_roles"),
    [
        ("pathway/_staff_panel.html", STAFF_FLAG),
        ("pathway/_student_panel.html", frozenset({"student"})),
    ],
)
def test_partials_by_role(app, world, template, flag_roles):
    application = world.extra["pathway"]["application"]
    shown = set()
    for role in ROLES:
        html = _render(app, world.users.get(role), template, application)
        assert "Sentinel" not in html, role
        if "in the UIM pathway" in html.lower() or FLAG in html:
            shown.add(role)
    assert shown == set(flag_roles)


def test_export_columns_by_role(world):
    department = world.department
    columns = {
        role: queries.visible_pathway_columns(world.users[role], department)
        for role in ROLES
        if role != "anonymous"
    }
    flag_only = ("in_pathway",)
    everything = (
        "in_pathway",
        "self_identification",
        "self_identification_categories",
        "criteria_met",
    )
    assert columns == {
        "student": (),
        "other_student": (),
        "reviewer": (),
        "director": flag_only,
        "other_director": (),
        "coordinator": flag_only,
        "committee": everything,
        "admin": everything,
    }


def test_hidden_controls_for_roles_refused(app, world):
    """The server refuses them; the pages do not offer them either."""
    award = world.extra["award"]
    pages = {}
    for role in ("committee", "admin", "director", "coordinator", "reviewer"):
        client = app.test_client()
        login(client, world.users[role])
        pages[role] = {
            "home": client.get("/").get_data(as_text=True),
            "award": client.get(f"/awards/applications/{award.id}").get_data(as_text=True),
            "flag": client.get(_url(world, "flag page")).get_data(as_text=True),
            "list": client.get(_url(world, "department pathway list")).get_data(as_text=True),
        }
    assert ">Award</a>" in pages["committee"]["home"]
    assert ">Award</a>" not in pages["director"]["home"]
    assert "Record the decision" in pages["committee"]["award"]
    assert (
        "Record the decision" not in pages["admin"]["award"]
    )  # admins read, the committee decides
    assert "Confirm or withdraw the flag" in pages["director"]["flag"]
    assert "Confirm or withdraw the flag" not in pages["coordinator"]["flag"]
    assert "Confirm or withdraw the flag" not in pages["committee"]["flag"]
    assert "Self-identification answers" in pages["committee"]["flag"]
    assert "Self-identification answers" not in pages["director"]["flag"]
    assert ">Rotations</a>" in pages["coordinator"]["list"]
    assert ">Department set-up</a>" in pages["coordinator"]["list"]
    assert ">Rotations</a>" not in pages["committee"]["list"]
    assert ">Department set-up</a>" not in pages["committee"]["list"]


def test_reviewer_with_another_role_elsewhere_sees_no_flag_here(app, world):
    reviewer = world.users["reviewer"]
    reviewer.memberships.append(
        type(reviewer.memberships[0])(role=Role.DIRECTOR, department=world.other_department)
    )
    db.session.commit()
    client = app.test_client()
    login(client, reviewer)
    assert client.get(_url(world, "flag page")).status_code == 403
    assert client.get(_url(world, "department pathway list")).status_code == 403
    assert queries.visible_pathway_columns(reviewer, world.department) == ()


def test_committee_member_is_not_a_department_flag_decider(world):
    committee = world.users["committee"]
    from clerkship.pathway.permissions import can_decide_pathway_flag

    assert can_decide_pathway_flag(committee, world.department) is False
    assert can_decide_pathway_flag(make_user((Role.DIRECTOR, world.department)), world.department)


def test_export_values_by_role_and_each_export_of_answers_is_audited(world):
    from clerkship.pathway.services.privacy import export_pathway_values

    application = world.extra["pathway"]["application"]
    exported = {
        role: export_pathway_values(world.users[role], world.department, [application])[
            application.id
        ]
        for role in ("reviewer", "coordinator", "committee")
    }
    assert exported == {
        "reviewer": {},
        "coordinator": {"in_pathway": True},
        "committee": {
            "in_pathway": True,
            "self_identification": "Yes",
            "self_identification_categories": CATEGORY,
            "criteria_met": CRITERION,
        },
    }
    contexts = [
        (event.actor_id, event.detail["context"])
        for event in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == queries.ANSWERS_VIEWED)
        )
    ]
    assert contexts == [(world.users["committee"].id, "export")]
