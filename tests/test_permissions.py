"""The permission matrix: every endpoint, every role, the expected allow / 403 / sign-in.

Each feature lists its endpoints in tests/<feature>/matrix.py. A test walks
app.url_map and fails when an endpoint (and method) has no rule, or when a view
has no access declaration (@public / @login_required).
"""

from __future__ import annotations

import pytest

from clerkship.core.permissions import ACCESS_ATTRIBUTE
from tests.accounts.matrix import RULES as ACCOUNTS
from tests.allocation.matrix import RULES as ALLOCATION
from tests.applications.matrix import RULES as APPLICATIONS
from tests.audit.matrix import RULES as AUDIT
from tests.awards.matrix import RULES as AWARDS
from tests.communications.matrix import RULES as COMMUNICATIONS
from tests.conftest import login
from tests.cycles.matrix import RULES as CYCLES
from tests.documents.matrix import RULES as DOCUMENTS
from tests.evaluations.matrix import RULES as EVALUATIONS
from tests.home.matrix import RULES as HOME
from tests.interviews.matrix import RULES as INTERVIEWS
from tests.letters.matrix import RULES as LETTERS
from tests.mentorship.matrix import RULES as MENTORSHIP
from tests.offers.matrix import RULES as OFFERS
from tests.operations.matrix import RULES as OPERATIONS
from tests.outbox_admin.matrix import RULES as OUTBOX_ADMIN
from tests.outcomes.matrix import RULES as OUTCOMES
from tests.pathway.matrix import RULES as PATHWAY
from tests.reviews.matrix import RULES as REVIEWS
from tests.rosters.matrix import RULES as ROSTERS
from tests.rotations.matrix import RULES as ROTATIONS
from tests.surveys.matrix import RULES as SURVEYS
from tests.world import ROLES, build_world

ALL_RULES = [
    *HOME,
    *OPERATIONS,
    *ACCOUNTS,
    *AUDIT,
    *CYCLES,
    *APPLICATIONS,
    *DOCUMENTS,
    *LETTERS,
    *PATHWAY,
    *AWARDS,
    *REVIEWS,
    *ALLOCATION,
    *OFFERS,
    *INTERVIEWS,
    *ROSTERS,
    *ROTATIONS,
    *EVALUATIONS,
    *OUTBOX_ADMIN,
    *COMMUNICATIONS,
    *MENTORSHIP,
    *SURVEYS,
    *OUTCOMES,
]
# Endpoints Flask and its extensions add that serve static files to everyone.
STATIC_ENDPOINTS = {"static", "bootstrap.static"}


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": False}


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in STATIC_ENDPOINTS:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            yield rule.endpoint, method


def test_every_endpoint_has_a_matrix_rule(app):
    covered = {(rule.endpoint, rule.method) for rule in ALL_RULES}
    missing = sorted(set(_routes(app)) - covered)
    assert missing == []


def test_matrix_names_only_existing_endpoints(app):
    assert sorted({(r.endpoint, r.method) for r in ALL_RULES} - set(_routes(app))) == []


def test_every_view_declares_its_access(app):
    undeclared = sorted(
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint not in STATIC_ENDPOINTS and not hasattr(view, ACCESS_ATTRIBUTE)
    )
    assert undeclared == []


def outcome(response) -> str:
    """allow, forbid (403) or login (sent to sign in); a 5xx fails the test."""
    assert response.status_code < 500, response.get_data(as_text=True)[:2000]
    response.close()  # a streamed download holds its request context until closed
    if response.status_code == 403:
        return "forbid"
    if response.status_code in (301, 302, 303) and "/login" in response.headers["Location"]:
        return "login"
    return "allow"


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.id)
def test_permission_matrix(app, rule):
    world = build_world()
    url = rule.url(world)
    observed, expected = {}, {}
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            login(client, world.users[role])
        data = rule.data(world) if rule.data else {}
        response = client.open(url, method=rule.method, data=data)
        observed[role] = outcome(response)
        if role in rule.allowed:
            expected[role] = "allow"
        else:
            expected[role] = rule.refused_anonymous if role == "anonymous" else "forbid"
    assert observed == expected


@pytest.mark.parametrize("rule", [r for r in ALL_RULES if r.method == "POST"], ids=lambda r: r.id)
def test_every_post_endpoint_refuses_a_missing_csrf_token(app, rule):
    app.config["WTF_CSRF_ENABLED"] = True
    world = build_world()
    response = app.test_client().post(rule.url(world), data={})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
