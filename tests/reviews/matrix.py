"""Who may reach the review endpoints: reviewers, directors, the award committee."""

from __future__ import annotations

import secrets
from types import SimpleNamespace

from clerkship.documents.models import Document, DocumentKind
from clerkship.documents.storage import upload_folder
from clerkship.extensions import db
from clerkship.reviews.models import Conflict
from tests import factories
from tests.applications import matrix as application_matrix
from tests.matrix import DEPARTMENT_MANAGERS, Rule

REVIEWERS = frozenset({"reviewer", "director", "other_director", "committee"})
THE_REVIEWER = frozenset({"reviewer"})
COMMITTEE = frozenset({"committee", "admin"})


def reviews(w) -> SimpleNamespace:
    """A round of department A with a rubric, an application the reviewer has reviewed,
    a second one without reviewers, a CV on file, a declared conflict, and the award round."""
    if "reviews" in w.extra:
        return w.extra["reviews"]
    review_round = factories.make_review_round(
        w.department, w.cycle, hide_name=False, hide_school=False
    )
    rubric = factories.make_rubric(review_round)
    reviewed = factories.make_applicant(w.department, w.cycle, blocks=[w.block])
    unassigned = factories.make_applicant(w.department, w.cycle)
    assignment = factories.make_assignment(review_round, reviewed, w.users["reviewer"])
    factories.make_review(assignment, rubric, [4, 3, 5])
    other = factories.make_assignment(review_round, reviewed, w.users["director"])
    document = Document(
        owner_id=reviewed.student_id,
        cycle_id=w.cycle.id,
        kind=DocumentKind.CV,
        original_name="cv.pdf",
        stored_name=f"{secrets.token_hex(16)}.pdf",
        content_type="application/pdf",
        size_bytes=8,
        sha256="0" * 64,
    )
    db.session.add(document)
    (upload_folder() / document.stored_name).write_bytes(b"%PDF-1.4")
    conflict = Conflict(
        reviewer_id=w.users["reviewer"].id, student_email="someone@example.edu", reason="Cousin"
    )
    db.session.add(conflict)
    award_round = factories.make_review_round(None, w.cycle)
    db.session.flush()
    w.extra["reviews"] = SimpleNamespace(
        round=review_round,
        rubric=rubric,
        reviewed=reviewed,
        unassigned=unassigned,
        assignment=assignment,
        other=other,
        document=document,
        conflict=conflict,
        award_round=award_round,
    )
    return w.extra["reviews"]


def _a(w) -> str:
    return f"/reviews/assignments/{reviews(w).assignment.id}"


def _dept(w) -> str:
    reviews(w)
    return f"/departments/{w.department.slug}/reviews"


def _award(w) -> str:
    reviews(w)
    return "/reviews/award"


def _levels(w) -> dict:
    r = reviews(w)
    return {f"criterion_{c.id}": "3" for c in r.rubric.criteria}


SETTINGS = {
    "hide_name": "y",
    "reveal_in_second_phase": "y",
    "calibration_min_reviews": "5",
    "disagreement_threshold": "1.00",
    "version": "",
}


def _setup_rules(prefix, allowed) -> list[Rule]:
    return [
        Rule("review_setup.overview", lambda w: prefix(w) + "/", allowed),
        Rule(
            "review_setup.settings",
            lambda w: prefix(w) + "/settings",
            allowed,
            method="POST",
            data=lambda w: SETTINGS,
        ),
        Rule(
            "review_setup.phase",
            lambda w: prefix(w) + "/phase",
            allowed,
            method="POST",
            data=lambda w: {"to": "closed"},
        ),
        Rule("review_setup.rubric", lambda w: prefix(w) + "/rubric", allowed),
        Rule("review_setup.edit_rubric", lambda w: prefix(w) + "/rubric/edit", allowed),
        Rule(
            "review_setup.edit_rubric",
            lambda w: prefix(w) + "/rubric/edit",
            allowed,
            method="POST",
            data=lambda w: {"title": "R", "scale": "1-5", "action": "add"},
        ),
        Rule(
            "review_setup.cap",
            lambda w: (
                prefix(w)
                + f"/caps/{w.users['director' if 'departments' in prefix(w) else 'committee'].id}"
            ),
            allowed,
            method="POST",
            data=lambda w: {},
        ),
        Rule(
            "review_setup.assign",
            lambda w: prefix(w) + "/assign",
            allowed,
            method="POST",
            data=lambda w: {"due_on": ""},
        ),
        Rule("review_setup.remind", lambda w: prefix(w) + "/reminders", allowed, method="POST"),
    ]


RULES = [
    Rule(
        "review_assignment.assign_selected",
        lambda w: f"/departments/{w.department.slug}/reviews/assign-selected",
        DEPARTMENT_MANAGERS,
        method="POST",
        data=application_matrix.selection,
    ),
    Rule("reviews.queue", lambda w: "/reviews/", REVIEWERS),
    Rule("reviews.review", _a, THE_REVIEWER),
    Rule(
        "reviews.review",
        _a,
        THE_REVIEWER,
        method="POST",
        data=lambda w: {**_levels(w), "recommendation": "recommend", "version": "1"},
    ),
    Rule(
        "reviews.withdraw",
        lambda w: _a(w) + "/withdraw",
        THE_REVIEWER,
        method="POST",
        data=lambda w: {"reason": "I advised this student"},
    ),
    Rule(
        "reviews.discuss",
        lambda w: _a(w) + "/discussion",
        THE_REVIEWER,
        method="POST",
        data=lambda w: {"body": "Strong letters."},
    ),
    Rule(
        "reviews.document",
        lambda w: _a(w) + f"/documents/{reviews(w).document.id}",
        THE_REVIEWER,
    ),
    Rule("reviews.packet", lambda w: _a(w) + "/packet.pdf", THE_REVIEWER),
    Rule("reviews.profile", lambda w: "/reviews/profile", REVIEWERS),
    Rule(
        "reviews.profile",
        lambda w: "/reviews/profile",
        REVIEWERS,
        method="POST",
        data=lambda w: {"schools": "Keck School of Medicine", "version": ""},
    ),
    Rule(
        "reviews.declare_conflict",
        lambda w: "/reviews/profile/conflicts",
        REVIEWERS,
        method="POST",
        data=lambda w: {"student_email": "cousin@example.edu", "reason": "My cousin"},
    ),
    Rule(
        "reviews.withdraw_conflict",
        lambda w: f"/reviews/profile/conflicts/{reviews(w).conflict.id}/delete",
        THE_REVIEWER,
        method="POST",
    ),
    *_setup_rules(_dept, DEPARTMENT_MANAGERS),
    *_setup_rules(_award, COMMITTEE),
    Rule("review_ranking.ranking", lambda w: _dept(w) + "/ranking", DEPARTMENT_MANAGERS),
    Rule(
        "review_ranking.choose_source",
        lambda w: _dept(w) + "/ranking/source",
        DEPARTMENT_MANAGERS,
        method="POST",
        data=lambda w: {"source": "calibrated", "version": "1"},
    ),
    Rule("review_ranking.statistics", lambda w: _dept(w) + "/statistics", DEPARTMENT_MANAGERS),
    Rule(
        "review_ranking.application",
        lambda w: _dept(w) + f"/applications/{reviews(w).reviewed.id}",
        DEPARTMENT_MANAGERS,
    ),
    Rule(
        "review_ranking.assign_reviewer",
        lambda w: _dept(w) + f"/applications/{reviews(w).unassigned.id}/assign",
        DEPARTMENT_MANAGERS,
        method="POST",
        data=lambda w: {"reviewer": str(w.users["reviewer"].id), "due_on": ""},
    ),
    Rule(
        "review_ranking.remove_assignment",
        lambda w: _dept(w) + f"/assignments/{reviews(w).other.id}/remove",
        DEPARTMENT_MANAGERS,
        method="POST",
    ),
    Rule(
        "review_ranking.discuss",
        lambda w: _dept(w) + f"/applications/{reviews(w).reviewed.id}/discussion",
        DEPARTMENT_MANAGERS,
        method="POST",
        data=lambda w: {"body": "Let us discuss."},
    ),
]
