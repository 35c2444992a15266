"""Uploads are judged by their content, never their name, and stored under random names."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from clerkship.core.rules import RuleViolation
from clerkship.demo.pdf import make_pdf
from clerkship.documents.models import DocumentKind
from clerkship.documents.storage import clean_filename, save_upload, upload_folder
from clerkship.extensions import db


def _upload(content: bytes, name: str = "file.pdf") -> FileStorage:
    return FileStorage(io.BytesIO(content), filename=name)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "navy").save(buffer, format="PNG")
    return buffer.getvalue()


def _refusal(content: bytes, name: str = "file.pdf", kind=DocumentKind.CV) -> str:
    with pytest.raises(RuleViolation) as refused:
        save_upload(_upload(content, name), kind=kind)
    assert refused.value.field == "file"
    return refused.value.message


def _folder_entries() -> set[str]:
    return {p.name for p in upload_folder().iterdir()}


def test_valid_pdf_is_stored_under_a_random_name_with_its_digest(app):
    content = make_pdf(["Curriculum vitae"])
    stored = save_upload(_upload(content, "My CV.pdf"), kind=DocumentKind.CV)
    assert stored.original_name == "My CV.pdf"
    assert stored.stored_name.endswith(".pdf") and len(stored.stored_name) == 36
    assert (stored.size_bytes, stored.sha256, stored.content_type) == (
        len(content),
        hashlib.sha256(content).hexdigest(),
        "application/pdf",
    )
    assert (upload_folder() / stored.stored_name).read_bytes() == content


def test_executable_renamed_to_pdf_is_refused(app):
    before = _folder_entries()
    message = _refusal(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 500, "cv.pdf")
    assert message == (
        "A cv must be a PDF, but its content is not a document we can open, whatever its name "
        "says. Nothing was saved."
    )
    assert _folder_entries() == before


def test_text_file_renamed_to_pdf_is_refused(app):
    assert "its content is not a document we can open" in _refusal(b"Dear committee,\n", "x.pdf")


def test_malformed_pdf_is_refused(app):
    broken = make_pdf(["Half a file"])[:200]
    assert "its content is not a document we can open" in _refusal(broken)


def test_zero_byte_file_is_refused(app):
    assert (
        _refusal(b"") == "This file is empty (0 bytes). Nothing was saved; choose the right file."
    )


def test_file_over_the_limit_is_refused_and_leaves_nothing(app):
    before = _folder_entries()
    big = make_pdf(["big"]) + b"%" + b"0" * (11 * 1024 * 1024)
    message = _refusal(big)
    assert message.startswith("This file is larger than 10 MB, the most we accept.")
    assert _folder_entries() == before


def test_limit_is_configurable(app):
    app_limit = 2048
    from flask import current_app

    current_app.config["MAX_UPLOAD_BYTES"] = app_limit
    message = _refusal(make_pdf(["x" * 80] * 40))
    assert message.startswith("This file is larger than 2 KB")


def test_png_is_refused_for_a_cv_but_accepted_for_a_bls_card(app):
    assert _refusal(_png(), "cv.png") == (
        "A cv must be a PDF, but its content is a PNG image, whatever its name says. "
        "Nothing was saved."
    )
    stored = save_upload(_upload(_png(), "bls.PNG"), kind=DocumentKind.BLS)
    assert (stored.format, stored.content_type) == ("png", "image/png")


def test_path_in_the_file_name_is_never_used(app):
    stored = save_upload(_upload(make_pdf(["x"]), "../../etc/passwd"), kind=DocumentKind.CV)
    assert stored.original_name == "passwd.pdf"
    assert (upload_folder() / stored.stored_name).is_file()
    assert "passwd" not in _folder_entries()
    assert clean_filename("..\\..\\windows\\system.ini", "pdf") == "system.pdf"
    assert clean_filename("../..", "pdf") == "document.pdf"
    assert clean_filename("cv\x00\n.pdf", "pdf") == "cv.pdf"


def test_non_ascii_file_name_is_kept_for_display(app):
    stored = save_upload(
        _upload(make_pdf(["x"]), "Currículo Hernández 履歴書.pdf"), kind=DocumentKind.CV
    )
    assert stored.original_name == "Currículo Hernández 履歴書.pdf"
    assert stored.stored_name.isascii()


def test_file_of_a_rolled_back_transaction_is_deleted(app):
    stored = save_upload(_upload(make_pdf(["x"])), kind=DocumentKind.CV)
    path = upload_folder() / stored.stored_name
    assert path.is_file()
    db.session.rollback()
    assert not path.exists()


def test_file_of_a_committed_transaction_is_kept(app):
    stored = save_upload(_upload(make_pdf(["x"])), kind=DocumentKind.CV)
    db.session.commit()
    db.session.rollback()
    assert (upload_folder() / stored.stored_name).is_file()
