"""Uploading, replacing and downloading documents through the pages."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.applications.models import ApplicationState
from clerkship.audit.models import AuditEvent
from clerkship.demo.pdf import make_pdf
from clerkship.documents.models import Document
from clerkship.extensions import db
from tests.conftest import login
from tests.factories import (
    make_application,
    make_cycle,
    make_department,
    make_document,
    make_letter,
    make_student,
    make_user,
)


def _page(response) -> str:
    """A page's HTML without its CSRF token, which is signed with the time of the request."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", response.get_data(as_text=True))


def _post(client, url, content: bytes, name: str, **fields):
    data = {"kind": "cv", "expires_on": "", **fields, "file": (io.BytesIO(content), name)}
    return client.post(url, data=data, content_type="multipart/form-data")


def _error(html: str, field: str) -> str:
    return html.split(f'id="{field}-error"')[1].split("</div>")[0]


@pytest.fixture
def student(client):
    make_cycle()
    student = make_student()
    login(client, student)
    return student


def _documents() -> list[Document]:
    db.session.commit()
    return list(db.session.scalars(select(Document).order_by(Document.id)))


def test_upload_and_replace_keeps_history(client, student):
    first = _post(client, "/documents/", make_pdf(["one"]), "cv-2026.pdf")
    assert first.headers["Location"] == "/documents/"
    _post(client, "/documents/", make_pdf(["two"]), "cv-2027.pdf")
    old, new = _documents()
    assert (old.original_name, old.is_current, new.original_name, new.is_current) == (
        "cv-2026.pdf",
        False,
        "cv-2027.pdf",
        True,
    )
    html = client.get("/documents/").get_data(as_text=True)
    assert "cv-2026.pdf" in html and "Replaced " in html


@pytest.mark.parametrize(
    ("content", "name", "fields", "field", "message"),
    [
        (b"MZ\x90\x00" * 50, "setup.pdf", {}, "file", "whatever its name says"),
        (b"", "empty.pdf", {}, "file", "This file is empty (0 bytes)."),
        (
            make_pdf(["x"]),
            "bls.pdf",
            {"kind": "bls"},
            "expires_on",
            "Enter the date your bls card expires",
        ),
        (
            make_pdf(["x"]),
            "bls.pdf",
            {"kind": "bls", "expires_on": "2001-01-01"},
            "expires_on",
            "This bls card expired on Jan 1, 2001",
        ),
        (
            make_pdf(["x"]),
            "bls.pdf",
            {"kind": "bls", "expires_on": "next year"},
            "expires_on",
            "Enter the expiry date as YYYY-MM-DD.",
        ),
        (make_pdf(["x"]), "x.pdf", {"kind": "letter"}, "kind", "Not a valid choice."),
    ],
)
def test_bad_upload_is_explained_next_to_the_field(
    client, student, content, name, fields, field, message
):
    response = _post(client, "/documents/", content, name, **fields)
    assert response.status_code == 200
    assert message in _error(response.get_data(as_text=True), field)
    assert _documents() == []


def test_eleven_megabyte_file_gets_a_message_next_to_the_field(client, student):
    big = make_pdf(["big"]) + b"%" + b"0" * (11 * 1024 * 1024)
    response = _post(client, "/documents/", big, "scan.pdf", kind="bls", expires_on="2099-01-01")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This file is larger than 10 MB" in _error(html, "file")
    assert 'value="2099-01-01"' in html  # what was typed is kept
    assert _documents() == []


def test_request_far_over_the_limit_gets_the_413_page(client, student):
    huge = b"0" * (25 * 1024 * 1024)
    response = _post(client, "/documents/", huge, "huge.pdf")
    assert response.status_code == 413
    assert "Files can be at most 10 MB. Nothing was saved." in response.get_data(as_text=True)


def test_missing_file_is_asked_for(client, student):
    response = client.post("/documents/", data={"kind": "cv"}, content_type="multipart/form-data")
    assert "Choose a file to upload." in _error(response.get_data(as_text=True), "file")


def test_download_is_an_attachment_under_the_original_name(client, student):
    _post(client, "/documents/", make_pdf(["x"]), "Currículo.pdf")
    (document,) = _documents()
    response = client.get(f"/documents/{document.id}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Curr%C3%ADculo.pdf" in disposition
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.data.startswith(b"%PDF-")


def test_another_students_document_is_403_like_a_missing_one(client, student):
    theirs = make_document(make_student(), make_cycle())
    foreign = client.get(f"/documents/{theirs.id}")
    missing = client.get(f"/documents/{theirs.id + 1000}")
    assert foreign.status_code == missing.status_code == 403
    assert _page(foreign) == _page(missing)


def test_department_staff_open_documents_of_submitted_applicants_only(client):
    cycle = make_cycle()
    department, other = make_department(), make_department()
    applicant = make_student()
    document = make_document(applicant, cycle)
    application = make_application(applicant, department, cycle)
    coordinator = make_user((Role.COORDINATOR, department))
    login(client, coordinator)
    assert client.get(f"/documents/{document.id}").status_code == 403  # a draft is private
    application.state = ApplicationState.SUBMITTED
    assert client.get(f"/documents/{document.id}").status_code == 200
    login(client, make_user((Role.DIRECTOR, other)))
    assert client.get(f"/documents/{document.id}").status_code == 403


def test_student_reads_own_letter_only_if_not_waived(client, student):
    cycle = make_cycle()
    waived = make_letter(student, cycle, received=True, waived=True)
    kept = make_letter(student, cycle, received=True, waived=False)
    assert client.get(f"/documents/{waived.document_id}").status_code == 403
    assert client.get(f"/documents/{kept.document_id}").status_code == 200


def test_path_as_file_name_is_stored_safely_and_offered_by_its_last_part(client, student):
    response = _post(client, "/documents/", make_pdf(["x"]), "../../etc/passwd")
    assert response.status_code == 302
    (document,) = _documents()
    assert document.original_name == "passwd.pdf"
    assert "/" not in document.stored_name and document.stored_name.endswith(".pdf")
    download = client.get(f"/documents/{document.id}")
    assert download.headers["Content-Disposition"] == "attachment; filename=passwd.pdf"


def test_staff_download_is_audited_and_the_owners_is_not(client):
    cycle = make_cycle()
    department = make_department()
    applicant = make_student()
    document = make_document(applicant, cycle)
    make_application(applicant, department, cycle, state=ApplicationState.SUBMITTED)
    coordinator = make_user((Role.COORDINATOR, department))
    login(client, applicant)
    assert client.get(f"/documents/{document.id}").status_code == 200
    login(client, coordinator)
    assert client.get(f"/documents/{document.id}").status_code == 200
    db.session.rollback()
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "document.download")
    ).all()
    assert [(e.actor_id, e.subject_user_id) for e in events] == [(coordinator.id, applicant.id)]
    assert events[0].summary == f"CV: {document.original_name} (documents)"
