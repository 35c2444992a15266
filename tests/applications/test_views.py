"""The student's pages: profile, wizard steps without JavaScript, submission, withdrawal, status."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import func, select

from clerkship.applications.models import (
    Accreditation,
    Application,
    ApplicationEvent,
    ApplicationState,
    StudentProfile,
)
from clerkship.extensions import db
from tests.conftest import login
from tests.factories import (
    make_application,
    make_block,
    make_complete_draft,
    make_cycle,
    make_department,
    make_profile,
    make_rotation,
    make_student,
)

S = ApplicationState

PROFILE = {
    "legal_first_name": "Amara",
    "legal_last_name": "Okafor",
    "preferred_name": "",
    "pronouns": "she/her",
    "phone": "213 555 0100",
    "address_line1": "1 Main St",
    "address_line2": "",
    "city": "Los Angeles",
    "region": "CA",
    "postal_code": "90033",
    "country": "United States",
    "medical_school": "Howard University College of Medicine",
    "accreditation": "LCME",
    "expected_graduation": "2099-05-20",
    "aamc_id": "12345678",
    "usmle_step1": "pass",
    "usmle_step2_ck_score": "250",
    "comlex_level1": "not_taken",
    "comlex_level2_ce_score": "",
    "version": "",
}


def _page(response) -> str:
    """A page's HTML without its CSRF token, which is signed with the time of the request."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", response.get_data(as_text=True))


def _error(html: str, field: str) -> str:
    return html.split(f'id="{field}-error"')[1].split("</div>")[0]


def test_profile_is_created_and_updated(client):
    student = make_student()
    login(client, student)
    response = client.post("/profile", data=PROFILE)
    assert response.status_code == 302
    profile = db.session.scalar(select(StudentProfile))
    assert (profile.legal_last_name, profile.accreditation, profile.usmle_step2_ck_score) == (
        "Okafor",
        Accreditation.LCME,
        250,
    )
    html = client.get("/profile").get_data(as_text=True)
    assert f'name="version" type="hidden" value="{profile.version}"' in html
    client.post("/profile", data={**PROFILE, "city": "Pasadena", "version": str(profile.version)})
    db.session.refresh(profile)
    assert (profile.city, profile.version) == ("Pasadena", 2)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"legal_first_name": ""}, "legal_first_name", "Enter your legal first name."),
        ({"aamc_id": "1234567"}, "aamc_id", "An AAMC ID is exactly 8 digits, e.g. 12345678."),
        ({"aamc_id": "1234567a"}, "aamc_id", "An AAMC ID is exactly 8 digits, e.g. 12345678."),
        ({"phone": "call me"}, "phone", "Enter a phone number of 7 to 15 digits"),
        ({"usmle_step2_ck_score": "301"}, "usmle_step2_ck_score", "between 1 and 300."),
        ({"usmle_step2_ck_score": "0"}, "usmle_step2_ck_score", "between 1 and 300."),
        ({"usmle_step2_ck_score": "high"}, "usmle_step2_ck_score", "Not a valid integer value."),
        ({"expected_graduation": "2001-05-20"}, "expected_graduation", "must be in the future."),
        ({"expected_graduation": "May 2028"}, "expected_graduation", "as YYYY-MM-DD."),
        ({"accreditation": ""}, "accreditation", "Choose LCME or COCA."),
        ({"accreditation": "WHO"}, "accreditation", "Not a valid choice."),
        ({"comlex_level2_ce_score": "600"}, "comlex_level2_ce_score", "taken by DO students"),
        (
            {"comlex_level2_ce_score": "1000", "accreditation": "COCA"},
            "comlex_level2_ce_score",
            "between 9 and 999.",
        ),
    ],
)
def test_bad_profile_input_is_explained_next_to_field(client, change, field, message):
    login(client, make_student())
    response = client.post("/profile", data={**PROFILE, **change})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in _error(html, field)
    assert 'value="Howard University College of Medicine"' in html  # what was typed is kept
    assert db.session.scalar(select(func.count(StudentProfile.id))) == 0


def test_profile_saved_in_two_tabs_keeps_second_tabs_text(client):
    student = make_student()
    profile = make_profile(student)
    login(client, student)
    stale = str(profile.version)
    client.post("/profile", data={**PROFILE, "city": "Pasadena", "version": stale})
    html = client.post(
        "/profile", data={**PROFILE, "city": "Long Beach", "version": stale}
    ).get_data(as_text=True)
    assert "Your profile was saved from another tab or window" in html
    assert 'value="Long Beach"' in html
    db.session.refresh(profile)
    assert profile.city == "Pasadena"


@pytest.fixture
def season(client):
    cycle = make_cycle()
    department = make_department(name="Emergency Medicine", slug="emergency-medicine")
    rotation = make_rotation(department, title="EM Sub-Internship")
    blocks = [make_block(rotation, cycle, month=m) for m in (7, 8, 9)]
    student = make_student()
    login(client, student)
    return cycle, department, blocks, student


def test_student_starts_application_once_even_when_clicking_twice(client, season):
    cycle, department, _blocks, _student = season
    data = {"cycle_id": cycle.id, "department_id": department.id}
    first = client.post("/applications/new", data=data)
    second = client.post("/applications/new", data=data)
    application = db.session.scalar(select(Application))
    assert first.headers["Location"] == f"/applications/{application.id}/blocks"
    assert second.headers["Location"] == first.headers["Location"]
    assert db.session.scalar(select(func.count(Application.id))) == 1


def test_unverified_student_cannot_start(client, season):
    cycle, department, _blocks, _student = season
    login(client, make_student(verified=False))
    response = client.post(
        "/applications/new", data={"cycle_id": cycle.id, "department_id": department.id}
    )
    assert response.status_code == 403
    assert "confirmed email address" in response.get_data(as_text=True)


def _choice(client, application, action, block, version=None):
    db.session.refresh(application)
    return client.post(
        f"/applications/{application.id}/blocks",
        data={
            "action": action,
            "block_id": block.id,
            "version": application.version if version is None else version,
        },
        follow_redirects=True,
    )


def test_ranking_with_buttons_and_no_javascript(client, season):
    cycle, department, (a, b, c), student = season
    application = make_application(student, department, cycle)
    for block in (a, b, c):
        _choice(client, application, "add", block)
    html = _choice(client, application, "up", c).get_data(as_text=True)
    assert "Your ranking is saved." in html
    _choice(client, application, "down", a)
    db.session.refresh(application)
    assert [ch.block_id for ch in application.choices] == [c.id, a.id, b.id]
    assert html.count(">Move up<") == 2  # the first block has no "Move up"


def test_stale_ranking_page_is_told_and_nothing_changes(client, season):
    cycle, department, (a, b, _c), student = season
    application = make_application(student, department, cycle)
    stale = application.version
    _choice(client, application, "add", a, version=stale)
    html = _choice(client, application, "add", b, version=stale).get_data(as_text=True)
    assert "This application was changed in another tab or window" in html
    db.session.refresh(application)
    assert [ch.block_id for ch in application.choices] == [a.id]


def test_statement_in_two_tabs_second_save_is_told_and_keeps_its_text(client, season):
    cycle, department, _blocks, student = season
    application = make_application(student, department, cycle, statement="First draft.")
    stale = str(application.version)
    url = f"/applications/{application.id}/statement"
    client.post(url, data={"personal_statement": "Written in tab one.", "version": stale})
    response = client.post(
        url, data={"personal_statement": "Written in tab two.", "version": stale}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This application was changed in another tab or window" in html
    assert "Written in tab two.</textarea>" in html
    assert "Written in tab one." in html.split("The version saved in your other tab")[1]
    db.session.refresh(application)
    assert application.personal_statement == "Written in tab one."
    # The page now carries the current version: saving again keeps tab two's text.
    client.post(
        url, data={"personal_statement": "Written in tab two.", "version": str(application.version)}
    )
    db.session.refresh(application)
    assert application.personal_statement == "Written in tab two."


def test_statement_word_count_is_reported_by_the_server(client, season):
    cycle, department, _blocks, student = season
    department.statement_word_limit = 50
    application = make_application(student, department, cycle)
    response = client.post(
        f"/applications/{application.id}/statement",
        data={"personal_statement": "word " * 53, "version": str(application.version)},
        follow_redirects=True,
    )
    assert (
        "Your statement is saved (53 words). That is 3 over the limit of 50."
        in response.get_data(as_text=True)
    )


def test_wizard_pages_render_and_link_every_step(client, season):
    cycle, department, _blocks, student = season
    application = make_application(student, department, cycle)
    for step in ("blocks", "statement", "documents", "letters", "review"):
        html = client.get(f"/applications/{application.id}/{step}").get_data(as_text=True)
        for other in ("blocks", "statement", "documents", "letters", "review"):
            assert f'href="/applications/{application.id}/{other}"' in html
        assert 'aria-current="step"' in html


def test_submit_refused_with_checklist_then_succeeds(client, mailbox):
    application = make_complete_draft()
    login(client, application.student)
    application.personal_statement = ""
    response = client.post(
        f"/applications/{application.id}/submit", data={"version": application.version}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert (
        "Your application cannot be submitted yet. Personal statement: Write your personal" in html
    )
    application.personal_statement = "Ready."
    db.session.commit()
    response = client.post(
        f"/applications/{application.id}/submit", data={"version": application.version}
    )
    assert response.headers["Location"] == f"/applications/{application.id}"
    db.session.refresh(application)
    assert application.state == S.SUBMITTED


def test_submitted_application_is_read_only(client):
    application = make_complete_draft()
    application.state = S.SUBMITTED
    login(client, application.student)
    for step in ("blocks", "statement", "documents", "letters", "review"):
        response = client.get(f"/applications/{application.id}/{step}")
        assert response.headers["Location"] == f"/applications/{application.id}"
    response = client.post(
        f"/applications/{application.id}/statement",
        data={"personal_statement": "Changed.", "version": application.version},
    )
    assert response.status_code == 302
    db.session.refresh(application)
    assert application.personal_statement == "I want to learn emergency medicine."


def signed_in_client(app, user_key: str):
    """A client of app signed in as the user with this login key, usable in any thread."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user_key
        session["_fresh"] = True
    return client


def test_double_clicked_submit_gives_one_submission(app, mailbox):
    application = make_complete_draft()
    db.session.commit()
    version, key, url = (
        application.version,
        application.student.get_id(),
        (f"/applications/{application.id}/submit"),
    )
    barrier = threading.Barrier(2)
    statuses = []

    def click():
        with app.app_context():
            client = signed_in_client(app, key)
            barrier.wait()
            response = client.post(url, data={"version": version})
            statuses.append((response.status_code, response.headers.get("Location")))

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [(302, f"/applications/{application.id}")] * 2
    db.session.commit()  # end this session's read snapshot, taken before the threads wrote
    submitted = db.session.scalar(
        select(func.count(ApplicationEvent.id)).where(ApplicationEvent.to_state == S.SUBMITTED)
    )
    assert submitted == 1
    assert len(mailbox.to(application.student.email)) == 1


def test_submit_after_deadline_is_refused_in_the_page(client):
    from datetime import timedelta

    from clerkship.core.time import local_today

    application = make_complete_draft()
    application.cycle.application_deadline = local_today() - timedelta(days=1)
    application.cycle.applications_open_on = local_today() - timedelta(days=20)
    login(client, application.student)
    html = client.post(
        f"/applications/{application.id}/submit", data={"version": application.version}
    ).get_data(as_text=True)
    assert "applications can no longer be submitted." in html
    db.session.refresh(application)
    assert application.state == S.DRAFT


def test_withdraw_asks_for_confirmation_first(client, mailbox):
    application = make_application(state=S.SUBMITTED)
    login(client, application.student)
    page = client.get(f"/applications/{application.id}/withdraw").get_data(as_text=True)
    assert "Withdraw your" in page and "Yes, withdraw my application" in page
    db.session.refresh(application)
    assert application.state == S.SUBMITTED
    response = client.post(f"/applications/{application.id}/withdraw", data={"reason": ""})
    assert response.headers["Location"] == f"/applications/{application.id}"
    db.session.refresh(application)
    assert application.state == S.WITHDRAWN
    status = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert status.count("<strong>Withdrawn</strong>") == 1
    assert "Withdraw this application" not in status


def test_status_page_shows_every_state_change(client):
    application = make_application(state=S.SUBMITTED)
    login(client, application.student)
    html = client.get(f"/applications/{application.id}").get_data(as_text=True)
    timeline = html.split('class="timeline"')[1].split("</ol>")[0]
    assert timeline.count("<li>") == 2
    assert timeline.index("<strong>Draft</strong>") < timeline.index("<strong>Submitted</strong>")


@pytest.mark.parametrize(
    "path", ["", "/blocks", "/statement", "/documents", "/letters", "/review", "/withdraw"]
)
def test_another_students_application_is_403_like_a_missing_one(client, path):
    mine = make_application()
    theirs = make_application()
    login(client, mine.student)
    foreign = client.get(f"/applications/{theirs.id}{path}")
    missing = client.get(f"/applications/{theirs.id + 1000}{path}")
    assert foreign.status_code == missing.status_code == 403
    assert _page(foreign) == _page(missing)
    assert theirs.department.name not in foreign.get_data(as_text=True)


def test_another_students_application_cannot_be_submitted_or_withdrawn(client):
    theirs = make_complete_draft()
    login(client, make_student())
    assert (
        client.post(
            f"/applications/{theirs.id}/submit", data={"version": theirs.version}
        ).status_code
        == 403
    )
    assert client.post(f"/applications/{theirs.id}/withdraw", data={}).status_code == 403
    db.session.refresh(theirs)
    assert theirs.state == S.DRAFT


def test_buttons_hidden_where_the_server_refuses(client):
    final = make_application(state=S.NOT_SELECTED)
    login(client, final.student)
    page = client.get(f"/applications/{final.id}").get_data(as_text=True)
    assert "Withdraw this application" not in page
    assert 'href="/applications/"' in page  # the student's own navigation
    from clerkship.accounts.models import Role
    from tests.factories import make_user

    login(client, make_user((Role.DIRECTOR, final.department)))
    home = client.get("/").get_data(as_text=True)
    assert "My applications" not in home and "My documents" not in home


def test_letter_buttons_only_for_waiting_requests_of_the_student(client):
    from tests.factories import make_letter

    application = make_application()
    make_letter(application.student, application.cycle, received=True, writer_name="Dr. Done")
    make_letter(application.student, application.cycle, writer_name="Dr. Waiting")
    login(client, application.student)
    html = client.get(f"/applications/{application.id}/letters").get_data(as_text=True)
    assert html.count(">Send again<") == 1 and html.count(">Cancel request<") == 1
