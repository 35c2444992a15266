"""Blinding by role and phase, enforced in every reviewer page and download."""

from __future__ import annotations

import secrets
from types import SimpleNamespace

import pytest

from clerkship.accounts.models import Role
from clerkship.applications.models import Accreditation, ApplicationChoice
from clerkship.core.time import local_today
from clerkship.documents.models import Document, DocumentKind
from clerkship.documents.storage import upload_folder
from clerkship.extensions import db
from clerkship.reviews.models import Phase
from clerkship.reviews.reminders.services import send_reminders
from clerkship.reviews.reviewing.blinding import withheld_reason
from clerkship.reviews.rounds.services import change_phase
from tests import factories
from tests.conftest import login

SECRETS = (
    "Amara",
    "Okafor",
    "she/her",
    "Howard University",
    "Step 2 CK",
    "amara@howard.example.edu",
)


def _document(application, kind: DocumentKind, name: str, content: bytes, content_type: str):
    document = Document(
        owner_id=application.student_id,
        cycle_id=application.cycle_id,
        kind=kind,
        original_name=name,
        stored_name=f"{secrets.token_hex(16)}.{'png' if content_type == 'image/png' else 'pdf'}",
        content_type=content_type,
        size_bytes=len(content),
        sha256="0" * 64,
    )
    db.session.add(document)
    (upload_folder() / document.stored_name).write_bytes(content)
    db.session.flush()
    return document


@pytest.fixture
def blind(app):
    cycle = factories.make_cycle()
    department = factories.make_department(slug="em")
    director = factories.make_user((Role.DIRECTOR, department), (Role.REVIEWER, department))
    reviewer = factories.make_reviewer(department)
    review_round = factories.make_review_round(department, cycle)
    factories.make_rubric(review_round)
    application = factories.make_applicant(
        department,
        cycle,
        school="Howard University College of Medicine",
        in_pathway=True,
        legal_first_name="Amara",
        legal_last_name="Okafor",
        pronouns="she/her",
        usmle_step2_ck_score=245,
        accreditation=Accreditation.LCME,
    )
    application.student.email = "amara@howard.example.edu"
    application.student.full_name = "Amara Okafor"
    cv = _document(
        application, DocumentKind.CV, "Amara_Okafor_CV.pdf", b"%PDF-cv", "application/pdf"
    )
    photo = _document(application, DocumentKind.PHOTO, "amara.png", b"\x89PNG-photo", "image/png")
    immunizations = _document(
        application, DocumentKind.IMMUNIZATIONS, "shots.pdf", b"%PDF-shots", "application/pdf"
    )
    assignment = factories.make_assignment(review_round, application, reviewer)
    own = factories.make_assignment(review_round, application, director)
    return SimpleNamespace(**locals())


def _page(client, user, url) -> str:
    login(client, user)
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_first_phase_reviewer_page_hides_every_blinded_field(client, blind):
    page = _page(client, blind.reviewer, f"/reviews/assignments/{blind.assignment.id}")
    for secret in SECRETS:
        assert secret not in page
    assert '<h1 class="h3">Application with no block ranked</h1>' in page
    assert "Application #" not in page
    assert (
        "Hidden in this phase: Name, Photo, Pronouns, Medical school, Exam scores, UIM pathway flag."
        in page
    )
    assert "Withheld documents: CV, Photo. The list of documents says why." in page
    assert f"/documents/{blind.cv.id}" not in page and f"/documents/{blind.photo.id}" not in page
    assert "UIM pathway</dt>" not in page and "MD (LCME)" not in page
    # Compliance records are never part of a review.
    assert "Immunization" not in page


def test_first_phase_downloads_withheld_with_the_reason(client, blind):
    login(client, blind.reviewer)
    base = f"/reviews/assignments/{blind.assignment.id}/documents"
    cv = client.get(f"{base}/{blind.cv.id}")
    assert cv.status_code == 403
    assert (
        "Withheld: it shows the applicant&#39;s name or school, hidden in this phase, and the "
        "applicant has not uploaded a redacted copy." in cv.get_data(as_text=True)
    )
    photo = client.get(f"{base}/{blind.photo.id}")
    assert photo.status_code == 403
    assert "Withheld: photos are hidden in this phase." in photo.get_data(as_text=True)
    other = client.get(f"{base}/{blind.immunizations.id}")
    assert other.status_code == 403
    assert "not part of the application you review" in other.get_data(as_text=True)


def test_second_phase_reveals_fields_and_documents(client, blind):
    change_phase(blind.review_round, Phase.SECOND, by=blind.director)
    page = _page(client, blind.reviewer, f"/reviews/assignments/{blind.assignment.id}")
    assert '<h1 class="h3">Amara Okafor</h1>' in page
    assert '<dd class="col-sm-7">Howard University College of Medicine, MD (LCME)</dd>' in page
    assert "USMLE Step 2 CK: 245" in page and "she/her" in page
    assert 'UIM pathway</dt><dd class="col-sm-7">Yes</dd>' in page
    assert "Hidden in this phase" not in page
    download = client.get(f"/reviews/assignments/{blind.assignment.id}/documents/{blind.cv.id}")
    assert download.status_code == 200
    assert download.data == b"%PDF-cv"
    assert "attachment" in download.headers["Content-Disposition"]
    # An <img> shows the photo; the response itself is still a sandboxed attachment.
    photo = client.get(f"/reviews/assignments/{blind.assignment.id}/documents/{blind.photo.id}")
    assert (photo.status_code, photo.headers["Content-Disposition"].split(";")[0]) == (
        200,
        "attachment",
    )


def test_closed_round_keeps_what_it_last_showed(client, blind):
    change_phase(blind.review_round, Phase.CLOSED, by=blind.director)
    page = _page(client, blind.reviewer, f"/reviews/assignments/{blind.assignment.id}")
    assert "Okafor" not in page
    change_phase(blind.review_round, Phase.FIRST, by=blind.director)  # reopen
    change_phase(blind.review_round, Phase.SECOND, by=blind.director)
    change_phase(blind.review_round, Phase.CLOSED, by=blind.director)
    assert "Amara Okafor" in _page(
        client, blind.reviewer, f"/reviews/assignments/{blind.assignment.id}"
    )


def test_partial_blinding_hides_only_what_is_chosen(client, blind):
    round_ = blind.review_round
    round_.hide_name = round_.hide_school = round_.hide_photo = round_.hide_pronouns = False
    page = _page(client, blind.reviewer, f"/reviews/assignments/{blind.assignment.id}")
    assert "Amara Okafor" in page and "Howard University" in page
    assert "Step 2 CK" not in page and "UIM pathway</dt>" not in page
    assert "Hidden in this phase: Exam scores, UIM pathway flag." in page
    assert (
        client.get(
            f"/reviews/assignments/{blind.assignment.id}/documents/{blind.cv.id}"
        ).status_code
        == 200
    )


def test_pathway_flag_shown_to_reviewers_only_when_the_round_says(client, blind):
    blind.review_round.hide_pathway = False
    page = _page(client, blind.reviewer, f"/reviews/assignments/{blind.assignment.id}")
    assert 'UIM pathway</dt><dd class="col-sm-7">Yes</dd>' in page
    assert "Okafor" not in page


def test_a_director_reviewing_is_blinded_on_the_review_page_but_not_on_theirs(client, blind):
    review = _page(client, blind.director, f"/reviews/assignments/{blind.own.id}")
    assert "Okafor" not in review
    staff = _page(
        client, blind.director, f"/departments/em/reviews/applications/{blind.application.id}"
    )
    assert "Amara Okafor" in staff
    assert "UIM pathway: yes" in staff
    ranking = _page(client, blind.director, "/departments/em/reviews/ranking")
    assert "Amara Okafor" in ranking and "badge-pathway" in ranking


def test_queue_names_the_block_chosen_not_the_person_until_revealed(client, blind):
    site = factories.make_site(name="LA General", short_name="LA General")
    rotation = factories.make_rotation(blind.department, site, title="EM Sub-Internship")
    first = factories.make_block(rotation, blind.cycle, month=7)
    second = factories.make_block(rotation, blind.cycle, month=9)
    for rank, block in enumerate((first, second), start=1):
        blind.application.choices.append(ApplicationChoice(block=block, rank=rank))
    db.session.flush()
    queue = _page(client, blind.reviewer, "/reviews/")
    year = first.starts_on.year
    assert f">EM Sub-Internship (LA General), Jul 1–Jul 28, {year}</a>" in queue
    assert '<div class="small">and 1 more block ranked</div>' in queue
    assert "Okafor" not in queue and "Application #" not in queue
    change_phase(blind.review_round, Phase.SECOND, by=blind.director)
    revealed = _page(client, blind.reviewer, "/reviews/")
    assert ">Amara Okafor</a>" in revealed
    assert (
        f'<div class="small">EM Sub-Internship (LA General), Jul 1–Jul 28, {year} '
        "and 1 more block ranked</div>" in revealed
    )


def test_emails_to_reviewers_never_name_the_applicant(app, blind, mailbox):
    blind.assignment.due_on = local_today()
    send_reminders(today=local_today(), within_days=0)
    db.session.commit()
    message = mailbox.last_to(blind.reviewer.email)
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "1 of your reviews" in text
    for secret in SECRETS:
        assert secret not in text and secret not in message["Subject"]


@pytest.mark.parametrize(
    ("kind", "hidden", "expected"),
    [
        (
            DocumentKind.CV,
            {"name"},
            "Withheld: it shows the applicant's name or school, hidden in this phase, and the "
            "applicant has not uploaded a redacted copy.",
        ),
        (
            DocumentKind.LETTER,
            {"school"},
            "Withheld: it shows the applicant's name or school, hidden in this phase.",
        ),
        (DocumentKind.TRANSCRIPT, {"exam_scores", "pathway"}, None),
        (DocumentKind.PHOTO, {"photo"}, "Withheld: photos are hidden in this phase."),
        (DocumentKind.PHOTO, set(), None),
    ],
)
def test_withheld_reason_by_kind_and_hidden_fields(kind, hidden, expected):
    assert withheld_reason(kind, hidden) == expected
