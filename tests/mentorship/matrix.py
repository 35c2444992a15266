"""Who may reach mentorship's endpoints."""

from __future__ import annotations

from clerkship.applications.models import ApplicationState
from clerkship.core.time import utcnow
from clerkship.extensions import db
from clerkship.mentorship.models import (
    AffinityGroup,
    Mentor,
    MentorKind,
    MentorRequest,
    RequestState,
)
from tests import factories
from tests.matrix import ADMIN, DEPARTMENT_STAFF, STUDENTS, Rule

OWNER = frozenset({"student"})
MENTOR = frozenset({"reviewer"})


def mentorship_world(w) -> dict:
    """A mentor, an affinity group and the student's open request in department A."""
    if "mentorship" not in w.extra:
        student = w.users["student"]
        factories.make_rotation_application(
            student, w.cycle, w.department, blocks=(w.block,), state=ApplicationState.ACCEPTED
        )
        mentor = Mentor(
            department=w.department,
            name="Dr. Mentor",
            email="mentor@example.org",
            kind=MentorKind.FACULTY,
            capacity=2,
            offers="research",
        )
        group = AffinityGroup(name="First-generation", contact_email="firstgen@example.org")
        request = MentorRequest(
            student=student, department=w.department, cycle=w.cycle, interests="research"
        )
        # The reviewer of department A also mentors: a pair they confirm meetings for.
        reviewer_as_mentor = Mentor(
            department=w.department,
            name="Dr. Reviewer",
            email=w.users["reviewer"].email,
            kind=MentorKind.RESIDENT,
            capacity=1,
        )
        mentee = MentorRequest(
            student=w.users["other_student"],
            department=w.department,
            cycle=w.cycle,
            interests="wellness",
            state=RequestState.MATCHED,
            mentor=reviewer_as_mentor,
            matched_at=utcnow(),
        )
        db.session.add_all([mentor, group, request, reviewer_as_mentor, mentee])
        db.session.flush()
        w.extra["mentorship"] = {
            "mentor": mentor,
            "group": group,
            "request": request,
            "mentee": mentee,
        }
    return w.extra["mentorship"]


def _staff(w) -> str:
    return f"/departments/{w.department.slug}/mentorship"


def _mentor(w) -> str:
    return _staff(w) + f"/mentors/{mentorship_world(w)['mentor'].id}"


def _request(w) -> str:
    return _staff(w) + f"/requests/{mentorship_world(w)['request'].id}"


def _withdraw(w) -> str:
    return f"/mentorship/requests/{mentorship_world(w)['request'].id}/withdraw"


def _mentees(w) -> str:
    mentorship_world(w)  # the reviewer mentors only once the world has their pair
    return "/mentorship/mentees"


def _group(w) -> str:
    return f"/admin/affinity-groups/{mentorship_world(w)['group'].id}"


RULES = [
    Rule("mentorship.index", lambda w: "/mentorship/", STUDENTS),
    Rule("mentorship.ask", lambda w: f"/mentorship/{w.department.slug}/ask", STUDENTS),
    Rule(
        "mentorship.ask", lambda w: f"/mentorship/{w.department.slug}/ask", STUDENTS, method="POST"
    ),
    Rule("mentorship.withdraw", _withdraw, OWNER, method="POST"),
    Rule("mentorship.affinity_groups", lambda w: "/mentorship/affinity-groups", STUDENTS),
    Rule("mentorship.mentees", _mentees, MENTOR),
    Rule(
        "mentorship.confirm_meeting",
        lambda w: f"/mentorship/mentees/{mentorship_world(w)['mentee'].id}/meeting",
        MENTOR,
        method="POST",
    ),
    Rule(
        "mentorship.affinity_groups",
        lambda w: "/mentorship/affinity-groups",
        STUDENTS,
        method="POST",
    ),
    Rule("mentorship_staff.department", _staff, DEPARTMENT_STAFF),
    Rule(
        "mentorship_staff.setting",
        lambda w: _staff(w) + "/setting",
        DEPARTMENT_STAFF,
        method="POST",
    ),
    Rule("mentorship_staff.mentor", lambda w: _staff(w) + "/mentors/new", DEPARTMENT_STAFF),
    Rule("mentorship_staff.mentor", _mentor, DEPARTMENT_STAFF, method="POST"),
    Rule("mentorship_staff.request_page", _request, DEPARTMENT_STAFF),
    Rule("mentorship_staff.request_page", _request, DEPARTMENT_STAFF, method="POST"),
    Rule(
        "mentorship_staff.meeting",
        lambda w: _request(w) + "/meeting",
        DEPARTMENT_STAFF,
        method="POST",
    ),
    Rule(
        "mentorship_staff.close", lambda w: _request(w) + "/close", DEPARTMENT_STAFF, method="POST"
    ),
    Rule("affinity_admin.index", lambda w: "/admin/affinity-groups/", ADMIN),
    Rule("affinity_admin.edit", lambda w: "/admin/affinity-groups/new", ADMIN),
    Rule("affinity_admin.edit", _group, ADMIN, method="POST"),
    Rule("affinity_admin.send", lambda w: _group(w) + "/send", ADMIN, method="POST"),
]
