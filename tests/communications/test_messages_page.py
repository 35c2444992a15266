"""The student's Messages page and the messages on the staff's application file."""

from __future__ import annotations

import pytest

from clerkship.extensions import db
from clerkship.outbox.services import queue_message
from tests.conftest import login
from tests.rosters.conftest import build_season


@pytest.fixture
def season(app):
    return build_season()


def _queue(season, student, subject, *, secret=False, department=True, application=None):
    queue_message(
        student.email,
        subject,
        f"Body of {subject}",
        template="staff_message" if not secret else "reset_password",
        recipient=student.id,
        department=season.department.id if department else None,
        application=application.id if application else None,
        secret=secret,
    )


def test_the_student_reads_every_message_sent_to_them_and_no_other(client, season):
    ana, bad, _chen = season.placed
    _queue(season, ana.student, "Welcome to July", application=ana)
    _queue(season, ana.student, "Your reset link", secret=True, department=False)
    _queue(season, bad.student, "Someone else's news", application=bad)
    db.session.commit()
    login(client, ana.student)
    page = client.get("/messages").get_data(as_text=True)
    assert "Welcome to July" in page and "Body of Welcome to July" in page
    assert "Emergency Medicine" in page
    assert "Your reset link" in page and "Body of Your reset link" not in page
    assert "Someone else" not in page
    assert page.index("Your reset link") < page.index("Welcome to July")  # newest first


def test_the_student_navigation_links_to_messages(client, season):
    login(client, season.placed[0].student)
    page = client.get("/applications/").get_data(as_text=True)
    assert 'href="/messages">Messages</a>' in page


def test_staff_see_the_messages_about_an_application_on_its_file(client, season):
    ana, bad, _chen = season.placed
    _queue(season, ana.student, "Welcome to July", application=ana)
    _queue(season, ana.student, "Elsewhere", department=False)
    _queue(season, bad.student, "Not Ana's", application=bad)
    db.session.commit()
    login(client, season.users["coordinator"])
    page = client.get(f"/departments/{season.department.slug}/applications/{ana.id}").get_data(
        as_text=True
    )
    assert "Welcome to July" in page and "Body of Welcome to July" in page
    assert "Elsewhere" not in page and "Not Ana" not in page


def test_a_secret_message_shows_only_its_subject_on_the_file(client, season):
    ana = season.placed[0]
    _queue(season, ana.student, "Private link", secret=True, application=ana)
    db.session.commit()
    login(client, season.users["coordinator"])
    page = client.get(f"/departments/{season.department.slug}/applications/{ana.id}").get_data(
        as_text=True
    )
    assert "Private link" in page and "Body of Private link" not in page
