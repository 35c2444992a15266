"""Every page and form, as every role, with hostile input: nothing may answer 500.

The suite runs a seeded sample (every class of hostile input reaches every form and
every page's query arguments); CLERKSHIP_FULL_CRAWL=1 (`make security`) sends every class
to every field and every query argument.
"""

from __future__ import annotations

import os
import random

import pytest
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from clerkship.extensions import db
from tests.conftest import login
from tests.security.crawler import (
    Attempt,
    UploadedFile,
    form_attempts,
    parse_page,
    query_attempts,
)
from tests.test_permissions import ALL_RULES
from tests.world import ROLES, build_world

FULL = os.environ.get("CLERKSHIP_FULL_CRAWL") == "1"
LOG = os.environ.get("CLERKSHIP_CRAWL_LOG")
SEED = 20261202
# Forms the crawler leaves alone: signing out would end the crawl's own session.
SKIPPED_ACTIONS = ("/logout",)


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": False}


def _client(app, world, role):
    client = app.test_client()
    if role != "anonymous":
        login(client, world.users[role])
    return client


def _send(client, attempt: Attempt):
    if attempt.method == "GET":
        return client.get(attempt.url)
    data = MultiDict([(k, v.open() if isinstance(v, UploadedFile) else v) for k, v in attempt.data])
    return client.post(
        attempt.url,
        data=data,
        content_type="multipart/form-data" if attempt.multipart else None,
    )


def crawl(app, *, full: bool) -> tuple[list[str], int]:
    """Crawl as every role; the requests that answered 5xx, and how many were sent."""
    world = build_world()
    db.session.commit()
    urls = {}
    for rule in (r for r in ALL_RULES if r.method == "GET"):
        # The matrix builds a world per endpoint; some records of different endpoints
        # clash in one world (two applications of one student): those pages are left out.
        try:
            urls[rule] = rule.url(world)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
    rng = random.Random(SEED)
    failures: list[str] = []
    sent = 0
    tried_forms: set[tuple] = set()
    for role in ROLES:
        pages = sorted({url for rule, url in urls.items() if role in rule.allowed})
        for url in pages:
            client = _client(app, world, role)  # signed in afresh: a form may have changed it
            page = client.get(url)
            sent += 1
            html = page.get_data(as_text=True) if page.mimetype == "text/html" else ""
            page.close()
            if page.status_code >= 500:
                failures.append(f"{role} GET {url} -> {page.status_code}")
                continue
            forms, arg_names = parse_page(url, html) if page.status_code == 200 else ([], [])
            attempts = list(query_attempts(role, url, arg_names, full=full, rng=rng))
            for form in forms:
                if any(form.action.endswith(a) for a in SKIPPED_ACTIONS):
                    continue
                if not full and (form.key in tried_forms):
                    continue
                tried_forms.add(form.key)
                attempts += form_attempts(role, form, full=full, rng=rng)
            for attempt in attempts:
                response = _send(client, attempt)
                sent += 1
                status = response.status_code
                response.close()
                if status >= 500:
                    failures.append(
                        f"{role} {attempt.method} {attempt.url[:160]} [{attempt.label}] -> {status}"
                    )
                    if LOG:  # a long crawl reports each failure as it finds it
                        with open(LOG, "a", encoding="utf-8") as log:
                            log.write(failures[-1] + "\n")
    return failures, sent


@pytest.mark.slow
def test_no_hostile_input_gets_a_500_from_any_page_or_form(app):
    failures, sent = crawl(app, full=FULL)
    assert sent > 1000
    assert failures == []
