"""Every page and download is sent with Cache-Control: no-store; static files may be cached.
Nor does a query argument named like a part of its path make any page fail."""

from __future__ import annotations

import pytest

from tests.conftest import login
from tests.test_permissions import ALL_RULES
from tests.world import ROLES, build_world

GET_RULES = [rule for rule in ALL_RULES if rule.method == "GET"]


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": False}


def _first_allowed(rule) -> str:
    # A rule no role passes (metrics: a token only) is checked on its refusal.
    return next((role for role in ROLES if role in rule.allowed), "anonymous")


@pytest.mark.parametrize("rule", GET_RULES, ids=lambda r: r.id)
def test_every_page_answers_no_store(app, rule):
    world = build_world()
    client = app.test_client()
    role = _first_allowed(rule)
    if role != "anonymous":
        login(client, world.users[role])
    url = rule.url(world)
    response = client.get(url)
    response.close()
    # "no-store", or a download's own "private, no-store".
    assert response.headers.get("Cache-Control") in {"no-store", "private, no-store"}
    # The same page with ?slug=, ?cycle=, ... beside the same names in its path: the links
    # it builds from its query (sorting, paging) must not pass them twice to url_for.
    names = next(r.arguments for r in app.url_map.iter_rules() if r.endpoint == rule.endpoint)
    if names:
        stray = "&".join(f"{name}=stray" for name in sorted(names))
        again = client.get(url + ("&" if "?" in url else "?") + stray)
        again.close()
        assert again.status_code < 500


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("student", "/pathway/{cycle}/self-identification"),
        ("committee", "/rosters/awards.csv?cycle={cycle}"),
        ("admin", "/account/password"),
        ("anonymous", "/login"),
    ],
)
def test_personal_pages_and_downloads_are_not_stored(app, role, url):
    world = build_world()
    client = app.test_client()
    if role != "anonymous":
        login(client, world.users[role])
    response = client.get(url.format(cycle=world.cycle.slug))
    response.close()
    assert response.status_code == 200
    assert response.headers["Cache-Control"] in {"no-store", "private, no-store"}


def test_static_files_may_be_cached(client):
    response = client.get("/bootstrap/static/css/bootstrap.min.css")
    response.close()
    assert "no-store" not in response.headers.get("Cache-Control", "")
