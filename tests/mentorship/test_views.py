"""The pages: forms keep what was typed, double submits, query counts, start pages."""

from __future__ import annotations

import re
import threading

from sqlalchemy import func, select

from clerkship.accounts.models import Role
from clerkship.applications.models import ApplicationState
from clerkship.core.time import local_today
from clerkship.extensions import db
from clerkship.mentorship.models import Mentor, MentorRequest, RequestState
from clerkship.outbox.models import OutboxMessage
from tests import factories
from tests.conftest import login, repeated_ids
from tests.mentorship.helpers import make_mentor, make_season


def _version(html: str) -> str:
    return re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)


def test_student_asks_and_sees_the_state_on_the_start_page(app, client):
    cycle, department, _block, _coordinator, student = make_season()
    login(client, student)
    index = client.get("/mentorship/").get_data(as_text=True)
    assert f"Ask {department.name} for a mentor" in index
    response = client.post(f"/mentorship/{department.slug}/ask", data={"interests": "research"})
    assert response.status_code == 302
    start = client.get("/").get_data(as_text=True)
    assert f"{department.name}: waiting for a mentor" in start


def test_ask_form_keeps_the_text_and_names_the_error(app, client):
    cycle, department, block, _coordinator, _student = make_season()
    outsider = factories.make_student()
    factories.make_rotation_application(
        outsider, cycle, department, blocks=(block,), state=ApplicationState.SUBMITTED
    )
    login(client, outsider)
    html = client.post(
        f"/mentorship/{department.slug}/ask", data={"interests": "Typed text kept"}
    ).get_data(as_text=True)
    assert "Typed text kept</textarea>" in html
    assert "once you have an application there" in html
    empty = client.post(f"/mentorship/{department.slug}/ask", data={"interests": ""})
    assert 'id="interests-error"' in empty.get_data(as_text=True)
    assert db.session.scalar(select(func.count(MentorRequest.id))) == 0


def test_mentor_form_keeps_input_and_refuses_a_bad_capacity(app, client):
    _cycle, department, _block, coordinator, _student = make_season()
    login(client, coordinator)
    data = {"name": "Dr. Kept", "email": "kept@example.org", "kind": "faculty", "capacity": "x9"}
    html = client.post(
        f"/departments/{department.slug}/mentorship/mentors/new", data=data
    ).get_data(as_text=True)
    assert 'value="Dr. Kept"' in html and 'id="capacity-error"' in html
    data["capacity"] = "99999999999999999999999"
    response = client.post(f"/departments/{department.slug}/mentorship/mentors/new", data=data)
    assert response.status_code == 200
    data["capacity"] = "2"
    assert (
        client.post(f"/departments/{department.slug}/mentorship/mentors/new", data=data).status_code
        == 302
    )
    again = client.post(f"/departments/{department.slug}/mentorship/mentors/new", data=data)
    assert "already lists a mentor with this email" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Mentor.id))) == 1


def test_double_submit_of_a_match_matches_once(app, client):
    cycle, department, _block, coordinator, student = make_season()
    mentor = make_mentor(department, capacity=2)
    request = factories_request(student, department, cycle)
    login(client, coordinator)
    url = f"/departments/{department.slug}/mentorship/requests/{request.id}"
    page = client.get(url).get_data(as_text=True)
    assert repeated_ids(page) == []
    data = {"mentor": str(mentor.id), "version": _version(page)}
    assert client.post(url, data=data).status_code == 302
    second = client.post(url, data=data)
    assert second.status_code == 200
    assert "This request is no longer waiting for a mentor." in second.get_data(as_text=True)
    db.session.commit()  # a fresh read: the requests wrote after this session last read
    assert db.session.get(MentorRequest, request.id).state is RequestState.MATCHED
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 2


def test_match_page_refuses_a_mentor_at_capacity_next_to_the_field(app, client):
    cycle, department, block, coordinator, student = make_season()
    mentor = make_mentor(department, capacity=1)
    first = factories_request(student, department, cycle)
    other = factories.make_student()
    factories.make_rotation_application(
        other, cycle, department, blocks=(block,), state=ApplicationState.ACCEPTED, in_pathway=True
    )
    second = factories_request(other, department, cycle)
    login(client, coordinator)
    base = f"/departments/{department.slug}/mentorship/requests/"
    page_one = client.get(base + str(first.id)).get_data(as_text=True)
    page_two = client.get(base + str(second.id)).get_data(as_text=True)
    # A second coordinator had the same mentor on screen; the first match takes the place.
    client.post(base + str(first.id), data={"mentor": mentor.id, "version": _version(page_one)})
    html = client.post(
        base + str(second.id), data={"mentor": mentor.id, "version": _version(page_two)}
    ).get_data(as_text=True)
    assert "has no place left this cycle" in html
    assert "No mentor of" in html  # the suggestion offers nobody now


def test_bad_input_is_never_a_server_error(app, client):
    cycle, department, _block, coordinator, student = make_season()
    request = factories_request(student, department, cycle)
    login(client, coordinator)
    base = f"/departments/{department.slug}/mentorship/requests/{request.id}"
    for data in ({"mentor": "abc", "version": "x"}, {"mentor": "999999"}, {"mentor": "9" * 30}):
        assert client.post(base, data=data).status_code == 200
    assert client.post(base + "/meeting", data={"met_on": "31/31/2026"}).status_code == 200
    assert client.post(base + "/close", data={"reason": "\x00"}).status_code == 200
    assert client.get(f"/departments/{department.slug}/mentorship?cycle=%00").status_code < 500
    assert (
        client.get(f"/departments/{department.slug}/mentorship/requests/{'9' * 30}").status_code
        == 404
    )
    login(client, student)
    assert (
        client.post("/mentorship/affinity-groups", data={"groups": "x", "share": "1"}).status_code
        == 200
    )


def test_department_page_queries_do_not_grow_with_requests(app, client, queries):
    cycle, department, block, coordinator, _student = make_season()

    def grow(n):
        for _ in range(n):
            student = factories.make_student()
            factories.make_rotation_application(
                student,
                cycle,
                department,
                blocks=(block,),
                state=ApplicationState.ACCEPTED,
                in_pathway=True,
            )
            mentor = make_mentor(department, capacity=1)
            matched = factories_request(student, department, cycle)
            matched.state, matched.mentor = RequestState.MATCHED, mentor
            matched.matched_at = factories.utcnow()
            other = factories.make_student()
            factories.make_rotation_application(
                other,
                cycle,
                department,
                blocks=(block,),
                state=ApplicationState.ACCEPTED,
                in_pathway=True,
            )
            factories_request(other, department, cycle)
        db.session.commit()

    url = f"/departments/{department.slug}/mentorship"
    grow(2)
    login(client, coordinator)
    client.get(url)
    with queries() as few:
        assert client.get(url).status_code == 200
        assert client.get("/").status_code == 200
    grow(10)
    with queries() as many:
        assert client.get(url).status_code == 200
        assert client.get("/").status_code == 200
    assert many.count == few.count


def test_coordinator_start_page_links_to_the_requests_to_match(app, client):
    cycle, department, _block, coordinator, student = make_season()
    factories_request(student, department, cycle)
    login(client, coordinator)
    start = client.get("/").get_data(as_text=True)
    assert "1 mentor request to match" in start
    assert f"/departments/{department.slug}/mentorship?cycle={cycle.slug}" in start


def factories_request(student, department, cycle) -> MentorRequest:
    request = MentorRequest(
        student=student, department=department, cycle=cycle, interests="research"
    )
    db.session.add(request)
    db.session.flush()
    return request


def test_two_coordinators_at_once_never_exceed_capacity(app, queries):
    cycle, department, block, coordinator, student = make_season()
    colleague = factories.make_user((Role.COORDINATOR, department))
    mentor = make_mentor(department, capacity=1)
    other = factories.make_student()
    factories.make_rotation_application(
        other, cycle, department, blocks=(block,), state=ApplicationState.ACCEPTED, in_pathway=True
    )
    requests = [factories_request(s, department, cycle) for s in (student, other)]
    db.session.commit()
    base = f"/departments/{department.slug}/mentorship/requests/"
    clients = []
    for user in (coordinator, colleague):
        clients.append(login(app.test_client(), user))
    versions = [
        _version(c.get(base + str(r.id)).get_data(as_text=True))
        for c, r in zip(clients, requests, strict=True)
    ]
    # The threads run outside the test's app context: they take plain values only.
    urls, mentor_id = [base + str(r.id) for r in requests], mentor.id
    start = threading.Barrier(2)
    statuses = []

    def match(client, url, version):
        start.wait()
        response = client.post(url, data={"mentor": mentor_id, "version": version})
        statuses.append(response.status_code)

    threads = [
        threading.Thread(target=match, args=args)
        for args in zip(clients, urls, versions, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    db.session.commit()  # a fresh read: the requests wrote after this session last read
    states = sorted(db.session.get(MentorRequest, r.id).state.value for r in requests)
    assert (sorted(statuses), states) == ([200, 302], ["matched", "open"])
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 2


def test_the_mentor_confirms_the_first_meeting_on_their_page(app, client):
    cycle, department, _block, coordinator, student = make_season()
    mentor_user = factories.make_user(
        (Role.REVIEWER, department), email="ben.osei@hospital.example.org"
    )
    mentor = make_mentor(department, name="Dr. Ben Osei", email="Ben.Osei@Hospital.example.org")
    request = factories_request(student, department, cycle)
    db.session.commit()
    login(client, coordinator)
    url = f"/departments/{department.slug}/mentorship/requests/{request.id}"
    page = client.get(url).get_data(as_text=True)
    client.post(url, data={"mentor": mentor.id, "version": _version(page)})

    login(client, mentor_user)
    mentees = client.get("/mentorship/mentees").get_data(as_text=True)
    assert "Amara Okafor" in mentees and repeated_ids(mentees) == []
    field = f"mentee-{request.id}-met_on"
    refused = client.post(
        f"/mentorship/mentees/{request.id}/meeting", data={field: "2001-02-03"}
    ).get_data(as_text=True)
    assert f'id="{field}-error"' in refused and "before the match" in refused
    today = local_today().isoformat()
    response = client.post(f"/mentorship/mentees/{request.id}/meeting", data={field: today})
    assert response.status_code == 302
    db.session.commit()
    assert db.session.get(MentorRequest, request.id).first_meeting_on == local_today()

    stranger = factories.make_user((Role.REVIEWER, department))
    login(client, stranger)
    assert client.get("/mentorship/mentees").status_code == 403
    assert (
        client.post(f"/mentorship/mentees/{request.id}/meeting", data={field: today}).status_code
        == 403
    )
    mentor_user.email_verified_at = None  # an address not confirmed proves nothing
    login(client, mentor_user)
    assert client.get("/mentorship/mentees").status_code == 403
