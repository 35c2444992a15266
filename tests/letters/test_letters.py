"""Letters: the student asks, the writer uploads once through an expiring link, the student sees it."""

from __future__ import annotations

import io
import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from clerkship.demo.pdf import make_pdf
from clerkship.documents.models import Document, DocumentKind
from clerkship.extensions import db
from clerkship.letters.models import LetterRequest, LetterState
from tests.conftest import body_of, link_in, login
from tests.factories import make_application, make_cycle, make_letter, make_student

WRITER = {
    "writer_name": "Dr. Ana Ruiz",
    "writer_email": "Ana.Ruiz@Hospital.example.org",
    "waiver": "waive",
}


def _page(response) -> str:
    """A page's HTML without its CSRF token, which is signed with the time of the request."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", response.get_data(as_text=True))


def _path(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


def _upload(client, path: str, content: bytes | None = None, name: str = "letter.pdf"):
    content = make_pdf(["Letter of recommendation"]) if content is None else content
    return client.post(
        path, data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data"
    )


@pytest.fixture
def draft(client):
    application = make_application()
    login(client, application.student)
    return application


def _request(client, application, **changes):
    return client.post(f"/applications/{application.id}/letters", data={**WRITER, **changes})


def test_request_emails_writer_a_single_use_link(client, draft, mailbox):
    response = _request(client, draft)
    assert response.headers["Location"] == f"/applications/{draft.id}/letters"
    letter = db.session.scalar(select(LetterRequest))
    assert (letter.writer_email, letter.waived, letter.state) == (
        "ana.ruiz@hospital.example.org",
        True,
        LetterState.REQUESTED,
    )
    message = mailbox.last_to("ana.ruiz@hospital.example.org")
    assert message["Subject"] == f"Letter of recommendation for {draft.student.full_name}"
    assert "The student has waived the right to read the letter." in body_of(message)
    assert "/letters/write/" in link_in(message)
    assert letter.token_hash not in link_in(message)  # only the hash is stored


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"waiver": ""}, "waiver", "Choose whether you waive your right to read the letter."),
        ({"writer_email": "not-an-email"}, "writer_email", "Enter a valid email address."),
        ({"writer_name": ""}, "writer_name", "Enter the writer&#39;s name."),
    ],
)
def test_bad_letter_request_is_explained(client, draft, changes, field, message):
    html = _request(client, draft, **changes).get_data(as_text=True)
    assert message in html.split(f'id="{field}-error"')[1].split("</div>")[0]
    assert db.session.scalar(select(func.count(LetterRequest.id))) == 0


def test_student_cannot_write_own_letter_or_ask_twice(client, draft):
    own = _request(client, draft, writer_email=draft.student.email).get_data(as_text=True)
    assert "must come from someone else" in own
    _request(client, draft)
    twice = _request(client, draft, writer_email="ANA.RUIZ@hospital.example.org").get_data(
        as_text=True
    )
    assert "You have already asked ana.ruiz@hospital.example.org." in twice
    assert db.session.scalar(select(func.count(LetterRequest.id))) == 1


def test_writer_uploads_without_an_account_and_link_then_stops(client, draft, mailbox):
    _request(client, draft)
    path = _path(link_in(mailbox.last_to("ana.ruiz@hospital.example.org")))
    anonymous = client.application.test_client()
    page = anonymous.get(path).get_data(as_text=True)
    assert f"Letter of recommendation for {draft.student.full_name}" in page
    response = _upload(anonymous, path)
    assert "Your letter for" in response.get_data(as_text=True)
    letter = db.session.scalar(select(LetterRequest))
    assert letter.state == LetterState.RECEIVED
    assert letter.document.kind == DocumentKind.LETTER
    assert letter.document.owner_id == draft.student_id
    assert mailbox.last_to(draft.student.email)["Subject"] == (
        "Your letter from Dr. Ana Ruiz has arrived"
    )
    again = anonymous.get(path)
    assert again.status_code == 410
    assert "A letter was already uploaded through this link" in again.get_data(as_text=True)
    reupload = _upload(anonymous, path)
    assert reupload.status_code == 410
    assert db.session.scalar(select(func.count(Document.id))) == 1


def test_expired_link_shows_a_clear_page(client):
    student = make_student(full_name="Luis Hernández")
    make_letter(student, make_cycle(), token="expired-token", expires_in=timedelta(days=-1))
    for response in (
        client.get("/letters/write/expired-token"),
        _upload(client, "/letters/write/expired-token"),
    ):
        html = response.get_data(as_text=True)
        assert response.status_code == 410
        assert "This link expired on" in html
        assert "Please ask Luis Hernández to send the request again" in html
    assert db.session.scalar(select(func.count(Document.id))) == 0


def test_unknown_or_replaced_link_shows_a_clear_page(client):
    response = client.get("/letters/write/no-such-token")
    assert response.status_code == 410
    assert "was replaced by a newer one, or was not copied completely" in response.get_data(
        as_text=True
    )


def test_writer_upload_is_checked_like_any_document(client):
    make_letter(make_student(), make_cycle(), token="good-token")
    html = _upload(client, "/letters/write/good-token", b"GIF89a...", "letter.pdf").get_data(
        as_text=True
    )
    assert "A letter of recommendation must be a PDF" in html
    assert db.session.scalar(select(LetterRequest.state)) == LetterState.REQUESTED


def test_resend_replaces_the_link(client, draft, mailbox):
    _request(client, draft)
    old = _path(link_in(mailbox.last_to("ana.ruiz@hospital.example.org")))
    letter = db.session.scalar(select(LetterRequest))
    response = client.post(
        f"/letters/{letter.id}/resend", data={"next": f"/applications/{draft.id}/letters"}
    )
    assert response.headers["Location"] == f"/applications/{draft.id}/letters"
    new = _path(link_in(mailbox.last_to("ana.ruiz@hospital.example.org")))
    assert new != old
    assert client.get(old).status_code == 410
    assert client.get(new).status_code == 200


def test_cancelled_request_link_stops_working(client, draft, mailbox):
    _request(client, draft)
    path = _path(link_in(mailbox.last_to("ana.ruiz@hospital.example.org")))
    letter = db.session.scalar(select(LetterRequest))
    client.post(f"/letters/{letter.id}/cancel", data={})
    html = client.get(path).get_data(as_text=True)
    assert "The student cancelled this request" in html


def test_another_students_letter_is_403_like_a_missing_one(client, draft):
    theirs = make_letter(make_student(), make_cycle())
    for action in ("resend", "cancel"):
        foreign = client.post(f"/letters/{theirs.id}/{action}", data={})
        missing = client.post(f"/letters/{theirs.id + 1000}/{action}", data={})
        assert foreign.status_code == missing.status_code == 403
        assert _page(foreign) == _page(missing)
    assert db.session.scalar(select(LetterRequest.state)) == LetterState.REQUESTED


def test_student_sees_status_and_reads_only_unwaived_letters(client, draft):
    waived = make_letter(
        draft.student, draft.cycle, received=True, waived=True, writer_name="Dr. Waived"
    )
    kept = make_letter(
        draft.student, draft.cycle, received=True, waived=False, writer_name="Dr. Open"
    )
    make_letter(draft.student, draft.cycle, writer_name="Dr. Pending")
    html = client.get(f"/applications/{draft.id}/letters").get_data(as_text=True)
    assert html.count("Received ") == 2 and html.count("Requested ") == 1
    assert f'href="/documents/{kept.document_id}"' in html
    assert f'href="/documents/{waived.document_id}"' not in html


def test_link_used_twice_at_once_keeps_one_letter(app):
    make_letter(make_student(), make_cycle(), token="race-token")
    db.session.commit()
    barrier = threading.Barrier(2)
    codes = []

    def upload():
        with app.app_context():
            client = app.test_client()
            barrier.wait()
            codes.append(_upload(client, "/letters/write/race-token").status_code)

    threads = [threading.Thread(target=upload) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.commit()
    assert sorted(codes) == [200, 410]
    assert db.session.scalar(select(func.count(Document.id))) == 1
