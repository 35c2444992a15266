"""Links to review pages appear only for those the server lets through."""

from __future__ import annotations

import pytest

from tests.conftest import login
from tests.world import build_world

QUEUE_LINK = 'href="/reviews/">Reviews</a>'
AWARD_LINK = 'href="/reviews/award/">Award reviews</a>'


@pytest.mark.parametrize(
    ("role", "queue", "award"),
    [
        ("student", False, False),
        ("reviewer", True, False),
        ("director", True, False),
        ("coordinator", False, False),
        ("committee", True, True),
        ("admin", False, True),
    ],
)
def test_navigation_links_follow_the_permissions(client, role, queue, award):
    world = build_world()
    login(client, world.users[role])
    page = client.get("/").get_data(as_text=True)
    assert (QUEUE_LINK in page, AWARD_LINK in page) == (queue, award)
    assert ('href="/reviews/">Your review queue</a>' in page) == queue


@pytest.mark.parametrize(
    ("role", "shown"), [("director", True), ("coordinator", False), ("admin", True)]
)
def test_department_reviews_link_only_for_those_who_run_reviews(client, role, shown):
    world = build_world()
    login(client, world.users[role])
    page = client.get(f"/departments/{world.department.slug}/").get_data(as_text=True)
    assert (f'href="/departments/{world.department.slug}/reviews/">Reviews</a>' in page) == shown
