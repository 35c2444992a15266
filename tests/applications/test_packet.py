"""The printable application packet: its pages, its summary, its blinding, its audit trail."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from clerkship.accounts.models import Role
from clerkship.applications.models import ApplicationState
from clerkship.audit.models import AuditEvent
from clerkship.core.time import utcnow
from clerkship.documents.models import Document, DocumentKind
from clerkship.documents.packets import packet_filename
from clerkship.documents.storage import save_upload, upload_folder
from clerkship.extensions import db
from tests.conftest import login
from tests.factories import (
    make_application,
    make_assignment,
    make_block,
    make_cycle,
    make_department,
    make_document,
    make_letter,
    make_profile,
    make_review_round,
    make_reviewer,
    make_rotation,
    make_student,
    make_user,
)

EM = "/departments/emergency-medicine"
# make_document's PDFs print their upload name: the packet's pages can be told apart.
DOCUMENT_NAMES = ["cv.pdf", "transcript.pdf", "good_standing.pdf", None, "letter.pdf"]


def make_photo(student, cycle) -> Document:
    """A current photo: a PNG drawn here."""
    data = io.BytesIO()
    Image.new("RGB", (300, 400), "navy").save(data, "PNG")
    data.seek(0)
    storage = FileStorage(data, filename="amara.png", content_type="image/png")
    stored = save_upload(storage, kind=DocumentKind.PHOTO)
    document = Document(
        owner=student, cycle=cycle, kind=DocumentKind.PHOTO, **stored.document_fields
    )
    db.session.add(document)
    db.session.flush()
    return document


@pytest.fixture
def season(app):
    """An EM application with a full profile and five documents: CV, transcript, letter of
    good standing, photo and a received letter."""
    cycle = make_cycle()
    department = make_department(name="Emergency Medicine", slug="emergency-medicine")
    block = make_block(make_rotation(department, title="EM Sub-Internship"), cycle, month=7)
    student = make_student(full_name="Amara Okafor", email="amara.okafor@med.example.edu")
    make_profile(student, pronouns="she/her")
    application = make_application(
        student,
        department,
        cycle,
        blocks=[block],
        state=ApplicationState.SUBMITTED,
        statement="I want to train where the county's patients are.",
    )
    for kind in (DocumentKind.CV, DocumentKind.TRANSCRIPT, DocumentKind.GOOD_STANDING):
        make_document(student, cycle, kind)
    make_photo(student, cycle)
    make_letter(student, cycle, received=True)
    director = make_user((Role.DIRECTOR, department))
    return cycle, department, application, director


def _pdf(response) -> PdfReader:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    return PdfReader(io.BytesIO(response.get_data()))


def _summary_pages(reader: PdfReader) -> list[int]:
    """Indexes of the summary's pages (they carry its footer)."""
    return [i for i, page in enumerate(reader.pages) if "Summary, page" in page.extract_text()]


def _text(reader: PdfReader, pages) -> str:
    return " ".join(" ".join(reader.pages[i].extract_text().split()) for i in pages)


def test_director_packet_has_the_summary_then_every_document(client, season):
    _cycle, _department, application, director = season
    login(client, director)
    response = client.get(f"{EM}/applications/{application.id}/packet.pdf")
    reader = _pdf(response)
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="amara-okafor-emergency-medicine-application-packet.pdf"'
    )
    summary = _summary_pages(reader)
    assert summary == [0]
    assert len(reader.pages) == 1 + 5
    text = _text(reader, summary)
    for expected in (
        "Amara Okafor",
        "amara.okafor@med.example.edu",
        "12345678",
        "Howard University College of Medicine (LCME)",
        "she/her",
        "EM Sub-Internship",
        "I want to train where the county's patients are.",
        "UIM pathway No",
        f"Prepared for {director.full_name}",
    ):
        assert expected in text
    assert "Not in this packet" not in text
    # The documents follow in DocumentKind's order: CV, transcript, good standing, photo, letter.
    for index, name in enumerate(DOCUMENT_NAMES, start=1):
        page_text = reader.pages[index].extract_text()
        if name is None:
            assert page_text.strip() == ""  # the photo, drawn as an image
        else:
            assert name in page_text
    assert reader.metadata.title == "Amara Okafor"


def test_packet_download_is_audited(client, season):
    _cycle, _department, application, director = season
    login(client, director)
    _pdf(client.get(f"{EM}/applications/{application.id}/packet.pdf"))
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "application.packet_download")
    ).one()
    assert (event.actor_id, event.target_type, event.target_id) == (
        director.id,
        "Application",
        application.id,
    )
    assert event.subject_user_id == application.student_id
    assert event.detail["documents"] == [
        "CV",
        "Transcript",
        "Letter of good standing",
        "Photo",
        "Letter of recommendation",
    ]


def _reviewer_packet(client, season, **round_fields):
    cycle, department, application, _director = season
    review_round = make_review_round(department, cycle, **round_fields)
    reviewer = make_reviewer(department, full_name="Rita Reviewer")
    assignment = make_assignment(review_round, application, reviewer)
    login(client, reviewer)
    return _pdf(client.get(f"/reviews/assignments/{assignment.id}/packet.pdf")), application


def test_reviewer_packet_in_a_blinded_phase_leaves_out_identity_and_withheld_documents(
    client, season
):
    reader, application = _reviewer_packet(client, season)  # every field hidden (default)
    # Every document kind shows the name, school or face: all withheld, none included.
    assert len(reader.pages) == len(_summary_pages(reader))
    text = _text(reader, range(len(reader.pages)))
    # Named by the block ranked first, never by the student (nor by a number).
    assert "Application for EM Sub-Internship" in text
    assert "I want to train where the county's patients are." in text
    for secret in (
        "Amara",
        "Okafor",
        "amara.okafor",
        "12345678",
        "Howard",
        "she/her",
        "UIM pathway No",
    ):
        assert secret not in text
    assert "Hidden from reviewers in this phase: Name, Photo, Pronouns, Medical school" in text
    assert "Not in this packet" in text and "Photo Withheld: photos are hidden" in text
    assert reader.metadata.title.startswith("Application for EM Sub-Internship")


def test_reviewer_packet_follows_what_the_round_reveals(client, season):
    reader, _application = _reviewer_packet(
        client, season, hide_name=False, hide_school=False, hide_photo=True
    )
    summary = _summary_pages(reader)
    # CV, transcript, good standing and letter shown; the photo is still withheld.
    assert len(reader.pages) == len(summary) + 4
    text = _text(reader, summary)
    assert "Amara Okafor" in text and "Howard University College of Medicine" in text
    assert "12345678" not in text and "amara.okafor@" not in text  # never for reviewers
    names = [reader.pages[i].extract_text() for i in range(len(summary), len(reader.pages))]
    assert [n for n in DOCUMENT_NAMES if n and any(n in page for page in names)] == [
        "cv.pdf",
        "transcript.pdf",
        "good_standing.pdf",
        "letter.pdf",
    ]


def test_reviewer_packet_after_the_reveal_has_every_review_document(client, season):
    reader, _application = _reviewer_packet(client, season, revealed_at=utcnow())
    assert len(reader.pages) == len(_summary_pages(reader)) + 5


def test_packet_names_a_file_it_could_not_read(client, season):
    cycle, _department, application, director = season
    cv = db.session.scalars(select(Document).where(Document.kind == DocumentKind.CV)).one()
    (upload_folder() / cv.stored_name).unlink()
    login(client, director)
    reader = _pdf(client.get(f"{EM}/applications/{application.id}/packet.pdf"))
    assert len(reader.pages) == 1 + 4
    assert "CV Not included: its file could not be read." in _text(reader, [0])


@pytest.mark.parametrize("who", ["coordinator", "other_director", "reviewer", "student"])
def test_packet_refused_to_those_without_the_file(client, season, who):
    _cycle, department, application, _director = season
    users = {
        "coordinator": lambda: make_user((Role.COORDINATOR, department)),
        "other_director": lambda: make_user((Role.DIRECTOR, make_department())),
        "reviewer": lambda: make_reviewer(department),
        "student": lambda: application.student,
    }
    login(client, users[who]())
    response = client.get(f"{EM}/applications/{application.id}/packet.pdf")
    assert response.status_code == (200 if who == "coordinator" else 403)


def test_packet_of_a_missing_foreign_or_draft_application_is_a_403(client, season):
    cycle, department, _application, director = season
    foreign = make_application(
        make_student(), make_department(), cycle, state=ApplicationState.SUBMITTED
    )
    draft = make_application(make_student(), department, cycle)
    login(client, director)
    for application_id in (foreign.id, draft.id, 2**31 - 1):
        response = client.get(f"{EM}/applications/{application_id}/packet.pdf")
        assert response.status_code == 403
    # Beyond what an id column holds (PostgreSQL's INTEGER), the route does not match.
    for application_id in (2**31, 2**62, 2**70):
        assert client.get(f"{EM}/applications/{application_id}/packet.pdf").status_code == 404
    assert client.get("/departments/nowhere/applications/1/packet.pdf").status_code == 404


def test_reviewer_packet_of_someone_elses_assignment_is_a_403(client, season):
    cycle, department, application, _director = season
    review_round = make_review_round(department, cycle)
    assignment = make_assignment(review_round, application, make_reviewer(department))
    login(client, make_reviewer(department))
    assert client.get(f"/reviews/assignments/{assignment.id}/packet.pdf").status_code == 403
    assert client.get("/reviews/assignments/987654321/packet.pdf").status_code == 403


def test_packet_filename_is_plain_ascii():
    assert packet_filename("Zoë O'Brien-Núñez", "emergency-medicine") == (
        "zoe-o-brien-nunez-emergency-medicine.pdf"
    )
    assert packet_filename('"; rm -rf /', "") == "rm-rf.pdf"
    assert packet_filename("李小龙") == "application-packet.pdf"
    assert len(packet_filename("x" * 500)) == 80 + len(".pdf")


def test_an_image_becomes_one_letter_page_fitted_on_white(app):
    from clerkship.documents.packets import image_page

    data = io.BytesIO()
    clear = Image.new("RGBA", (4000, 1000), (0, 0, 0, 0))
    clear.save(data, "PNG")
    reader = PdfReader(io.BytesIO(image_page(data.getvalue())))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    drawn = next(iter(reader.pages[0].images)).image
    assert drawn.size == (1275, 1650)
    assert drawn.convert("RGB").getpixel((637, 300)) == (255, 255, 255)


def test_review_page_links_to_the_reviewers_packet(client, season):
    cycle, department, application, _director = season
    review_round = make_review_round(department, cycle)
    reviewer = make_reviewer(department)
    assignment = make_assignment(review_round, application, reviewer)
    login(client, reviewer)
    html = client.get(f"/reviews/assignments/{assignment.id}").get_data(as_text=True)
    assert f'href="/reviews/assignments/{assignment.id}/packet.pdf"' in html
