"""A department's workspace: pages grouped by the season, and what needs attention there."""

from __future__ import annotations

import re

import pytest

from clerkship.applications.models import ApplicationState
from clerkship.documents.models import DocumentKind
from clerkship.extensions import db
from clerkship.offers.models import OfferState
from tests import factories
from tests.conftest import login
from tests.home.conftest import links, offered, panel
from tests.home.test_start_pages import _grow

WORKSPACE = "/departments/emergency-medicine/"


def sections(page: str) -> list[str]:
    """The labels of the workspace's first row of links."""
    nav = re.search(r'<nav aria-label="Emergency Medicine".*?</nav>', page, re.S).group(0)
    first = nav.split("</ul>", 1)[0]
    return re.findall(r">([^<>]+)</a>", first)


def nav_links(page: str) -> list[str]:
    nav = re.search(r'<nav aria-label="Emergency Medicine".*?</nav>', page, re.S).group(0)
    return [href.replace("&amp;", "&") for href in re.findall(r'href="([^"]+)"', nav)]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (
            "director",
            [
                "To do",
                "Department set-up",
                "Applications",
                "Reviews",
                "Allocation and offers",
                "Interviews",
                "Onboarding and rosters",
                "Reports",
            ],
        ),
        (
            "coordinator",
            [
                "To do",
                "Department set-up",
                "Applications",
                "Allocation and offers",
                "Interviews",
                "Onboarding and rosters",
                "Reports",
            ],
        ),
    ],
)
def test_sections_follow_the_season_and_the_viewers_permissions(client, season, role, expected):
    login(client, season.users[role])
    page = client.get(WORKSPACE).get_data(as_text=True)
    assert sections(page) == expected


@pytest.mark.parametrize("role", ["director", "coordinator", "admin"])
def test_every_page_the_navigation_offers_opens_for_the_viewer(client, season, role):
    login(client, season.users[role])
    seen, to_visit = set(), [WORKSPACE]
    while to_visit:
        url = to_visit.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, url
        to_visit += [
            link for link in nav_links(response.get_data(as_text=True)) if link not in seen
        ]
    # Every section's pages were reached through the second row of links.
    assert len(seen) >= 8


def test_the_current_section_shows_its_pages_with_the_page_marked(client, season):
    login(client, season.users["coordinator"])
    page = client.get("/departments/emergency-medicine/rosters/").get_data(as_text=True)
    assert re.search(r'active"[^>]*aria-current="true"[^>]*>Onboarding and rosters<', page)
    assert re.search(r'aria-current="page"[^>]*>Rosters<', page)
    assert ">Onboarding<" in page and ">Award recipients<" in page
    # Pages of the other sections are reached through their section only.
    assert ">Offers and waitlist<" not in page and ">Message templates<" not in page


def test_a_page_outside_the_navigation_marks_its_section(client, season):
    login(client, season.users["director"])
    page = client.get("/departments/emergency-medicine/reviews/rubric").get_data(as_text=True)
    nav = re.search(r'<nav aria-label="Emergency Medicine".*?</nav>', page, re.S).group(0)
    # Reviews has one page in the workspace; the rubric belongs to it, and is not it.
    assert re.search(r'active"[^>]*aria-current="true"[^>]*>Reviews<', nav)
    assert 'aria-current="page"' not in nav


def test_the_workspace_opens_on_what_needs_the_director(client, season):
    factories.make_application(blocks=[season.august], state=ApplicationState.WAITLISTED)
    offered(season)
    db.session.commit()
    login(client, season.users["director"])
    page = client.get(WORKSPACE).get_data(as_text=True)
    text = panel(page, "director-emergency-medicine")
    assert "1 offer awaiting an answer" in text
    assert "1 student on the waitlist" in text
    assert "Allocation not run yet" in text
    # The director is not a coordinator here: no onboarding panel.
    assert panel(page, "coordinator-emergency-medicine") == ""


def test_the_workspace_opens_on_what_needs_the_coordinator(client, season):
    student = factories.make_student()
    offered(season, student, state=OfferState.ACCEPTED)
    factories.make_document(student, season.cycle, DocumentKind.BLS)
    db.session.commit()
    login(client, season.users["coordinator"])
    page = client.get(WORKSPACE).get_data(as_text=True)
    assert "1 document to verify" in panel(page, "coordinator-emergency-medicine")
    assert any("/onboarding/" in href for href in links(page, "coordinator-emergency-medicine"))
    assert panel(page, "director-emergency-medicine") == ""


def test_an_administrator_sees_both_panels(client, season):
    login(client, season.users["admin"])
    page = client.get(WORKSPACE).get_data(as_text=True)
    assert panel(page, "director-emergency-medicine")
    assert panel(page, "coordinator-emergency-medicine")


def test_staff_of_another_department_are_refused(client, season):
    login(client, season.users["other_director"])
    assert client.get(WORKSPACE).status_code == 403
    assert client.get("/departments/no-such-department/").status_code == 404


def test_the_start_page_links_each_department_to_its_workspace(client, season):
    login(client, season.users["coordinator"])
    page = client.get("/").get_data(as_text=True)
    assert f'href="{WORKSPACE}">Emergency Medicine</a>' in page


def test_without_a_cycle_the_workspace_points_to_set_up(client, app):
    department = factories.make_department(name="Surgery", slug="surgery")
    director = factories.make_user((factories.Role.DIRECTOR, department))
    db.session.commit()
    login(client, director)
    page = client.get("/departments/surgery/").get_data(as_text=True)
    assert "No cycle is open" in page
    assert 'href="/departments/surgery/rotations/"' in page


@pytest.mark.parametrize("role", ["director", "coordinator", "admin"])
def test_workspace_queries_do_not_grow_with_applications(client, season, queries, role):
    review_round = factories.make_review_round(season.department, season.cycle)
    interviews = factories.make_season(season.department, season.cycle)
    factories.make_day(interviews, capacity=40)
    _grow(season, review_round, interviews, 2)
    login(client, season.users[role])
    client.get(WORKSPACE)
    with queries() as few:
        assert client.get(WORKSPACE).status_code == 200
    _grow(season, review_round, interviews, 25)
    login(client, season.users[role])
    with queries() as many:
        assert client.get(WORKSPACE).status_code == 200
    assert many.count == few.count
