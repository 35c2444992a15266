"""The reviewer's queue, directors' progress per reviewer, reminders, settings, phases and caps."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.applications.models import ApplicationState
from clerkship.core.time import local_today
from clerkship.extensions import db
from clerkship.reviews.models import Phase, ReviewerCap, ReviewRound
from clerkship.reviews.records import ReviewAssignment
from clerkship.reviews.reminders.services import send_reminders
from tests import factories
from tests.conftest import body_of, login, repeated_ids
from tests.reviews.support import served_queries


@pytest.fixture
def work(app):
    cycle = factories.make_cycle()
    department = factories.make_department(slug="em", name="Emergency Medicine")
    director = factories.make_user((Role.DIRECTOR, department))
    reviewer = factories.make_reviewer(
        department, email="dr.obi@keck.example.edu", full_name="Dr. Obi"
    )
    idle = factories.make_reviewer(department, full_name="Dr. Idle")
    review_round = factories.make_review_round(department, cycle)
    rubric = factories.make_rubric(review_round)
    today = local_today()
    assignments = []
    for offset in (-2, 1, 5, None):
        application = factories.make_applicant(department, cycle)
        due = today + timedelta(days=offset) if offset is not None else None
        assignments.append(
            factories.make_assignment(review_round, application, reviewer, due_on=due)
        )
    factories.make_review(assignments[1], rubric, [3], submitted=False)
    factories.make_review(assignments[2], rubric, [4, 4, 4])
    return SimpleNamespace(**locals())


def test_queue_lists_unfinished_first_by_due_date_with_counts(client, work):
    login(client, work.reviewer)
    page = client.get("/reviews/").get_data(as_text=True)
    assert "2 not started, 1 draft, 1 submitted; <strong>1 overdue</strong>." in page
    ids = [int(n) for n in re.findall(r'href="/reviews/assignments/(\d+)"', page)]
    a = work.assignments
    assert ids == [a[0].id, a[1].id, a[3].id, a[2].id]
    assert "overdue</strong></td>" in page
    drafts = client.get("/reviews/?status=draft").get_data(as_text=True)
    assert re.findall(r'href="/reviews/assignments/(\d+)"', drafts) == [str(a[1].id)]


def test_queue_leaves_out_departments_the_reviewer_left(client, work):
    other = factories.make_department()
    other_round = factories.make_review_round(other, work.cycle)
    factories.make_assignment(
        other_round, factories.make_applicant(other, work.cycle), work.reviewer
    )
    login(client, work.reviewer)
    page = client.get("/reviews/").get_data(as_text=True)
    assert len(re.findall(r'href="/reviews/assignments/\d+"', page)) == 4


def test_queue_query_count_does_not_grow(app, client, work):
    login(client, work.reviewer)
    with served_queries(app) as small:
        client.get("/reviews/")
    for _ in range(30):
        factories.make_assignment(
            work.review_round, factories.make_applicant(work.department, work.cycle), work.reviewer
        )
    with served_queries(app) as large:
        client.get("/reviews/")
    assert small.count == large.count > 0


def test_directors_see_progress_per_reviewer(client, work):
    db.session.add(ReviewerCap(round_id=work.review_round.id, reviewer_id=work.reviewer.id, cap=12))
    login(client, work.director)
    page = client.get("/departments/em/reviews/").get_data(as_text=True)
    obi = re.search(
        r"<th scope=\"row\">Dr. Obi</th>\s*<td>(\d+)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>\s*<td><strong>(\d+)</strong>",
        page,
    )
    assert obi.groups() == ("4", "1", "1", "2", "1")
    idle = re.search(
        r"<th scope=\"row\">Dr. Idle</th>\s*<td>(\d+)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>\s*<td>0</td>",
        page,
    )
    assert idle.groups() == ("0", "0", "0", "0")
    assert f'name="reviewer-{work.reviewer.id}-cap"' in page and 'value="12"' in page


def test_reminders_go_once_a_day_for_due_and_overdue_unfinished_reviews(app, work, mailbox):
    sent = send_reminders(today=work.today, within_days=2)
    db.session.commit()
    assert sent == 1
    message = mailbox.last_to("dr.obi@keck.example.edu")
    assert (
        " ".join(message["Subject"].split())
        == f"Reminder: 2 reviews to finish (Emergency Medicine reviews, {work.cycle.name})"
    )
    text = body_of(message)
    assert "1 is past the due date." in text
    assert f"The earliest is due on {(work.today - timedelta(days=2)):%b %-d, %Y}." in text
    assert send_reminders(today=work.today, within_days=2) == 0
    assert send_reminders(today=work.today + timedelta(days=1), within_days=2) == 1


def test_reminders_leave_out_decided_applications(app, work, mailbox):
    work.assignments[0].application.state = ApplicationState.WITHDRAWN
    assert send_reminders(today=work.today, within_days=2) == 1
    db.session.commit()
    # Only the draft due tomorrow is left to finish.
    assert "1 review" in mailbox.last_to("dr.obi@keck.example.edu")["Subject"]
    work.assignments[1].application.state = ApplicationState.NOT_SELECTED
    assert send_reminders(today=work.today + timedelta(days=1), within_days=2) == 0


def test_reminders_skip_closed_rounds(app, work):
    work.review_round.phase = Phase.CLOSED
    assert send_reminders(today=work.today, within_days=30) == 0


def test_remind_command_for_a_scheduler(app, work, mailbox):
    result = app.test_cli_runner().invoke(args=["reviews", "remind", "--within-days", "10"])
    assert result.exit_code == 0, result.output
    assert result.output == "Sent 1 reminder email(s).\n"
    # Due within ten days and unfinished: the overdue one and the draft; not the undated one.
    assert "2 reviews" in mailbox.last_to("dr.obi@keck.example.edu")["Subject"]
    again = app.test_cli_runner().invoke(args=["reviews", "remind"])
    assert again.output == "Sent 0 reminder email(s).\n"


def test_director_reminds_everyone_from_the_round_page(client, work, mailbox):
    login(client, work.director)
    response = client.post("/departments/em/reviews/reminders")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Reminders sent to 1 reviewer(s) with unfinished reviews." in page
    assert "3 reviews" in mailbox.last_to("dr.obi@keck.example.edu")["Subject"]


def test_settings_saved_and_stale_settings_refused(client, work):
    login(client, work.director)
    data = {
        "hide_name": "y",
        "hide_school": "y",
        "reveal_in_second_phase": "y",
        "due_on": "2030-03-01",
        "calibration_min_reviews": "6",
        "disagreement_threshold": "0.75",
        "version": "1",
    }
    assert client.post("/departments/em/reviews/settings", data=data).status_code == 302
    saved = db.session.get(ReviewRound, work.review_round.id)
    assert saved.first_phase_hidden == {"name", "school"}
    assert (
        saved.due_on.isoformat(),
        saved.calibration_min_reviews,
        str(saved.disagreement_threshold),
    ) == (
        "2030-03-01",
        6,
        "0.75",
    )
    stale = client.post(
        "/departments/em/reviews/settings", data=data | {"calibration_min_reviews": "9"}
    )
    page = stale.get_data(as_text=True)
    assert stale.status_code == 400
    assert "Someone else changed these settings after you opened them." in page
    assert 'value="9"' in page
    bad = client.post(
        "/departments/em/reviews/settings",
        data=data | {"disagreement_threshold": "-1", "due_on": "soon"},
    )
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "Enter the date as YYYY-MM-DD, or leave it empty." in text
    assert "Enter a number above 0, at most 10." in text


def test_phases_move_forward_and_reopen(client, work):
    login(client, work.director)
    url = "/departments/em/reviews/phase"
    assert client.post(url, data={"to": "second"}).status_code == 302
    assert work.review_round.phase is Phase.SECOND
    assert client.post(url, data={"to": "closed"}).status_code == 302
    assert work.review_round.phase is Phase.CLOSED
    client.post(url, data={"to": "reopen"})
    assert work.review_round.phase is Phase.SECOND
    refused = client.post(url, data={"to": "second"})
    assert "Only a round in its first phase can move to the second." in client.get(
        refused.headers["Location"]
    ).get_data(as_text=True)
    assert client.post(url, data={"to": "sideways"}).status_code == 302
    assert work.review_round.phase is Phase.SECOND


def test_second_phase_refused_when_the_round_reveals_nothing(client, work):
    work.review_round.reveal_in_second_phase = False
    login(client, work.director)
    response = client.post("/departments/em/reviews/phase", data={"to": "second"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "This round reveals nothing in a second phase" in page
    assert work.review_round.phase is Phase.FIRST


def test_cap_set_and_cleared(client, work):
    login(client, work.director)
    prefix = f"reviewer-{work.reviewer.id}"
    url = f"/departments/em/reviews/caps/{work.reviewer.id}"
    client.post(url, data={f"{prefix}-cap": "7"})
    assert db.session.scalar(select(ReviewerCap.cap)) == 7
    bad = client.post(url, data={f"{prefix}-cap": "-3"})
    assert "Dr. Obi: Enter 0 to 10,000." in client.get(bad.headers["Location"]).get_data(
        as_text=True
    )
    client.post(url, data={f"{prefix}-cap": ""})
    assert db.session.scalar(select(ReviewerCap)) is None
    assert client.post("/departments/em/reviews/caps/99999", data={}).status_code == 404


def test_round_pages_before_the_round_starts(client, work):
    cycle = factories.make_cycle()
    login(client, work.director)
    page = client.get(f"/departments/em/reviews/?cycle={cycle.slug}").get_data(as_text=True)
    assert "Reviews for this cycle have not started yet." in page
    assert '<th scope="row">Dr. Obi</th>' in page and "0 applications awaiting review" in page
    assert db.session.scalar(select(ReviewRound).where(ReviewRound.cycle_id == cycle.id)) is None
    for path in ("rubric", "ranking", "statistics"):
        assert client.get(f"/departments/em/reviews/{path}?cycle={cycle.slug}").status_code == 200
    assert client.get("/departments/nope/reviews/").status_code == 404


def test_round_page_ids_are_unique_and_automatic_assignment_takes_its_own_due_date(client, work):
    other = factories.make_applicant(work.department, work.cycle)
    login(client, work.director)
    page = client.get("/departments/em/reviews/").get_data(as_text=True)
    assert repeated_ids(page) == []
    assert '<label class="form-label" for="assign-due_on">Due on</label>' in page
    assert '<label class="form-label" for="due_on">Reviews due on</label>' in page
    due = local_today() + timedelta(days=9)
    response = client.post("/departments/em/reviews/assign", data={"assign-due_on": str(due)})
    assert response.status_code == 302
    made = db.session.scalars(
        select(ReviewAssignment).where(ReviewAssignment.application_id == other.id)
    ).all()
    assert [a.due_on for a in made] == [due, due]


def test_closed_round_refuses_automatic_assignment_with_a_message(client, work):
    work.review_round.phase = Phase.CLOSED
    login(client, work.director)
    response = client.post("/departments/em/reviews/assign", data={"assign-due_on": ""})
    assert response.status_code == 400
    assert "The round is closed; reopen it to change assignments." in response.get_data(
        as_text=True
    )
