"""Bad input met on SQLite in the security review: each gives a 400 or a message, never a 500."""

from __future__ import annotations

import pytest
from markupsafe import escape

from clerkship.applications.services import STALE_MESSAGE
from tests.conftest import login
from tests.test_permissions import ALL_RULES
from tests.world import build_world

HUGE_ID = "1" * 23


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": False}


def _url(world, endpoint: str, method: str = "GET") -> str:
    rule = next(r for r in ALL_RULES if r.endpoint == endpoint and r.method == method)
    return rule.url(world)


@pytest.fixture
def world(app):
    return build_world()


def _as(app, world, role):
    return login(app.test_client(), world.users[role])


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("state=", 200),
        ("block=", 200),
        ("state=&block=", 200),
        ("state=nope", 400),
        (f"block={HUGE_ID}", 400),
        ("q=a%00b", 400),
        ("page=-1", 400),
    ],
)
def test_applications_list_ignores_a_blank_filter_and_refuses_a_bad_one(app, world, query, status):
    url = _url(world, "staff_applications.index")
    response = _as(app, world, "director").get(f"{url}?{query}")
    assert response.status_code == status


def test_users_list_with_a_blank_role_filter_lists_everyone(app, world):
    response = _as(app, world, "admin").get("/admin/users/?role=")
    assert response.status_code == 200
    assert world.users["student"].email in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["role=nope", "q=a%00b", "page=1" + "0" * 22])
def test_users_list_with_a_bad_argument_is_a_bad_request(app, world, query):
    response = _as(app, world, "admin").get(f"/admin/users/?{query}")
    assert response.status_code == 400


@pytest.mark.parametrize("block", [HUGE_ID, "abc", "²"])
def test_ranking_with_a_block_that_is_not_an_id_is_a_bad_request(app, world, block):
    url = _url(world, "review_ranking.ranking")
    response = _as(app, world, "director").get(f"{url}?block={block}")
    assert response.status_code == 400


def test_new_application_with_a_23_digit_id_is_a_bad_request(app, world):
    response = _as(app, world, "student").post(
        "/applications/new", data={"cycle_id": HUGE_ID, "department_id": world.department.id}
    )
    assert response.status_code == 400


def test_statement_saved_without_its_version_is_refused_as_stale(app, world):
    url = _url(world, "applications.statement", "POST")
    response = _as(app, world, "student").post(url, data={"personal_statement": "Hello."})
    assert response.status_code == 200
    assert escape(STALE_MESSAGE) in response.get_data(as_text=True)


def test_interview_day_in_year_one_is_refused_next_to_the_date(app, world):
    url = _url(world, "interview_staff.edit_day", "POST")
    response = _as(app, world, "director").post(
        url,
        data={
            "held_on": "0001-01-01",
            "starts": "09:00",
            "ends": "12:00",
            "format": "in_person",
            "location": "Room 1",
            "capacity": "4",
            "reserved": "0",
        },
    )
    assert response.status_code == 200
    assert "Enter a date between the years 1900 and 2200." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [f"/applications/{HUGE_ID}/statement", "/departments/a%00b/", "/departments/a%0Ab/"],
)
def test_a_path_segment_no_record_can_have_is_a_404(app, world, path):
    response = _as(app, world, "student").get(path)
    assert response.status_code == 404


def test_inviting_an_applicant_by_a_23_digit_id_is_refused_next_to_the_field(app, world):
    url = _url(world, "interview_invitations.invite", "POST")
    response = _as(app, world, "director").post(
        url, data={"applications": HUGE_ID, "reply_by": "2099-01-01"}
    )
    assert response.status_code == 400
    assert "This number is too large." in response.get_data(as_text=True)
