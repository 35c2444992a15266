"""Who may reach the award's endpoints."""

from __future__ import annotations

from clerkship.awards.models import AwardState
from tests import factories
from tests.matrix import STUDENTS, Rule
from tests.pathway.matrix import pathway_world

COMMITTEE = frozenset({"committee"})
COMMITTEE_AND_ADMIN = frozenset({"committee", "admin"})
COMPLETERS = frozenset({"director", "coordinator", "admin"})


def award_world(w) -> dict:
    """Settings for the world's cycle and the student's submitted award application."""
    if "award" not in w.extra:
        application = pathway_world(w)["application"]
        factories.make_award_settings(w.cycle)
        factories.make_eligible_profile(application.student, w.cycle)
        award = factories.make_award_application(
            application, state=AwardState.AWARDED, amount=2000_00
        )
        w.extra["award"] = {"award": award}
    return w.extra["award"]


def _award(w) -> str:
    return f"/awards/applications/{award_world(w)['award'].id}"


def _cycle(w) -> str:
    award_world(w)
    return f"/awards/{w.cycle.slug}"


RULES = [
    Rule("awards.student", lambda w: _cycle(w) + "/", STUDENTS),
    Rule("awards.student", lambda w: _cycle(w) + "/", STUDENTS, method="POST"),
    Rule("awards.withdraw", lambda w: _cycle(w) + "/withdraw", STUDENTS, method="POST"),
    Rule("awards.decline", lambda w: _cycle(w) + "/decline", STUDENTS, method="POST"),
    Rule("award_committee.current", lambda w: "/awards/committee", COMMITTEE_AND_ADMIN),
    Rule("award_committee.index", lambda w: _cycle(w) + "/committee/", COMMITTEE_AND_ADMIN),
    Rule("award_committee.application", _award, COMMITTEE_AND_ADMIN),
    Rule("award_committee.cv", lambda w: _award(w) + "/cv", COMMITTEE_AND_ADMIN),
    Rule("award_committee.review", lambda w: _award(w) + "/review", COMMITTEE, method="POST"),
    Rule("award_committee.decide", lambda w: _award(w) + "/decision", COMMITTEE, method="POST"),
    Rule(
        "award_committee.payment",
        lambda w: _award(w) + "/payment",
        COMMITTEE_AND_ADMIN,
        method="POST",
    ),
    Rule("award_committee.budget", lambda w: _cycle(w) + "/budget", COMMITTEE_AND_ADMIN),
    Rule("award_settings.edit", lambda w: _cycle(w) + "/settings", COMMITTEE_AND_ADMIN),
    Rule(
        "award_settings.edit",
        lambda w: _cycle(w) + "/settings",
        COMMITTEE_AND_ADMIN,
        method="POST",
    ),
    Rule(
        "award_settings.timing",
        lambda w: f"/awards/departments/{w.department.slug}/timing",
        COMMITTEE_AND_ADMIN,
        method="POST",
    ),
    Rule(
        "award_departments.index",
        lambda w: f"/departments/{w.department.slug}/awards",
        COMPLETERS,
    ),
]
