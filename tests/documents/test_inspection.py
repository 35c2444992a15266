"""Uploads carrying active content are refused, and names always end as their content is."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from clerkship.core.rules import RuleViolation
from clerkship.demo.pdf import make_pdf
from clerkship.documents.models import Document, DocumentKind
from clerkship.documents.storage import clean_filename, save_upload, upload_folder
from clerkship.extensions import db
from clerkship.letters.models import LetterRequest, LetterState
from tests.conftest import login
from tests.factories import make_cycle, make_letter, make_student

HTML = b"<html><body><script>alert(document.cookie)</script></body></html>\n"


def _writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    return writer


def _bytes(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _with_js() -> bytes:
    """Document-level JavaScript in the /Names tree, as add_js wrote it before pypdf 7."""
    writer = _writer()
    script = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('hello');"),
        }
    )
    names = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("hello"), writer._add_object(script)])}
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): writer._add_object(names)}
    )
    return _bytes(writer)


def _with_open_action() -> bytes:
    writer = _writer()
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('opened');"),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    return _bytes(writer)


def _with_launch() -> bytes:
    writer = _writer()
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")}
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    return _bytes(writer)


def _with_attachment() -> bytes:
    writer = _writer()
    writer.add_attachment("payload.exe", b"MZ\x90\x00")
    return _bytes(writer)


def _with_page_action() -> bytes:
    writer = _writer()
    page_action = DictionaryObject(
        {
            NameObject("/O"): DictionaryObject(
                {
                    NameObject("/S"): NameObject("/URI"),
                    NameObject("/URI"): TextStringObject("https://evil.example"),
                }
            )
        }
    )
    writer.pages[0][NameObject("/AA")] = page_action
    return _bytes(writer)


def _refusal(content: bytes, name: str = "cv.pdf") -> str:
    with pytest.raises(RuleViolation) as refused:
        save_upload(FileStorage(io.BytesIO(content), filename=name), kind=DocumentKind.CV)
    assert refused.value.field == "file"
    return refused.value.message


ACTIVE = "This PDF contains active content, which we never accept or alter: "
AFTER = ". Nothing was saved; print it to a new PDF (“Save as PDF”) and upload that."


@pytest.mark.parametrize(
    ("build", "found"),
    [
        (_with_js, "JavaScript (/JavaScript); JavaScript (/JS)"),
        (
            _with_open_action,
            "JavaScript (/JavaScript); JavaScript (/JS); an action run when the file is opened (/OpenAction)",
        ),
        (
            _with_launch,
            "a command that launches a program (/Launch); "
            "an action run when the file is opened (/OpenAction)",
        ),
        (_with_attachment, "an embedded file (/EmbeddedFile); embedded files (/EmbeddedFiles)"),
        (_with_page_action, "additional actions run on events (/AA)"),
    ],
)
def test_pdf_with_active_content_is_refused_naming_what_was_found(app, build, found):
    before = {p.name for p in upload_folder().iterdir()}
    assert _refusal(build()) == ACTIVE + found + AFTER
    assert {p.name for p in upload_folder().iterdir()} == before


def test_plain_pdf_made_by_pypdf_is_accepted(app):
    stored = save_upload(
        FileStorage(io.BytesIO(_bytes(_writer())), filename="cv.pdf"), kind=DocumentKind.CV
    )
    assert (stored.format, stored.original_name) == ("pdf", "cv.pdf")


def test_html_with_a_pdf_appended_is_refused(app):
    assert _refusal(HTML + make_pdf(["cv"]), "cv.html") == (
        "A cv must be a PDF, but its content is not a document we can open, whatever its name "
        "says. Nothing was saved."
    )


def test_pdf_that_does_not_parse_completely_is_refused(app):
    truncated = make_pdf(["cv"])[:-60]
    assert _refusal(truncated).startswith("A cv must be a PDF, but its content is not")


@pytest.mark.parametrize(
    ("name", "fmt", "shown"),
    [
        ("cv.pdf.exe", "pdf", "cv.pdf"),
        ("page.html", "pdf", "page.pdf"),
        ("cv", "pdf", "cv.pdf"),
        ("Photo.JPG", "jpeg", "Photo.jpg"),
        ("photo.png", "jpeg", "photo.jpg"),
        (".pdf", "pdf", "pdf.pdf"),
        ("", "png", "document.png"),
    ],
)
def test_shown_name_always_ends_with_the_detected_format(name, fmt, shown):
    assert clean_filename(name, fmt) == shown


def test_upload_named_exe_is_stored_and_offered_as_pdf(client):
    student = make_student()
    make_cycle()
    login(client, student)
    client.post(
        "/documents/",
        data={"kind": "cv", "file": (io.BytesIO(make_pdf(["cv"])), "cv.pdf.exe")},
        content_type="multipart/form-data",
    )
    document = db.session.scalars(db.select(Document)).one()
    assert (document.original_name, document.stored_name[-4:]) == ("cv.pdf", ".pdf")
    response = client.get(f"/documents/{document.id}")
    assert response.headers["Content-Disposition"] == "attachment; filename=cv.pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == (
        "sandbox; default-src 'none'; frame-ancestors 'none'"
    )


def test_letter_writer_upload_with_javascript_is_refused_the_same_way(client):
    make_letter(make_student(), make_cycle(), token="js-token")
    response = client.post(
        "/letters/write/js-token",
        data={"file": (io.BytesIO(_with_js()), "letter.pdf")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert "This PDF contains active content, which we never accept or alter" in html
    assert db.session.scalar(select(LetterRequest.state)) == LetterState.REQUESTED
