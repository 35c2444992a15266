"""Which documents reviewers see, per round and phase: the kinds the director chose, and while
the student's name or school is hidden only redacted copies of the kinds that name them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.applications.models import ApplicationState
from clerkship.audit.models import AuditEvent
from clerkship.core.time import utcnow
from clerkship.documents.models import DocumentKind
from clerkship.documents.queries import current_documents
from clerkship.documents.services import upload_document
from clerkship.extensions import db
from clerkship.reviews.models import Phase, ReviewRound
from clerkship.reviews.reviewing.blinding import (
    NAMES_STUDENT,
    NO_REDACTED_COPY,
    NOT_CHOSEN,
    documents_for_reviewers,
    visible_documents,
)
from clerkship.reviews.rounds.services import change_phase
from clerkship.reviews.subjects import application_subject, review_documents
from tests import factories
from tests.conftest import login, repeated_ids


def _redacted_copy(student, cycle, kind):
    return upload_document(
        student,
        cycle,
        kind=kind,
        file_storage=factories.pdf_upload(f"{kind.value}-redacted.pdf"),
        expires_on=None,
        by=student,
        redacted=True,
    )


@pytest.fixture
def docs(app):
    cycle = factories.make_cycle()
    department = factories.make_department(slug="em", name="Emergency Medicine")
    director = factories.make_user((Role.DIRECTOR, department))
    reviewer = factories.make_reviewer(department)
    # First phase: CV, transcript and letters chosen; good standing left out. Second
    # phase: transcript and letters only.
    review_round = factories.make_review_round(
        department,
        cycle,
        first_phase_documents="cv,transcript,letter",
        second_phase_documents="transcript,letter",
    )
    factories.make_rubric(review_round)
    application = factories.make_applicant(department, cycle)
    student = application.student
    cv = factories.make_document(student, cycle, DocumentKind.CV)
    transcript = factories.make_document(student, cycle, DocumentKind.TRANSCRIPT)
    standing = factories.make_document(student, cycle, DocumentKind.GOOD_STANDING)
    letter = factories.make_document_of_letter(student, cycle)
    cv_copy = _redacted_copy(student, cycle, DocumentKind.CV)
    assignment = factories.make_assignment(review_round, application, reviewer)
    return SimpleNamespace(**locals())


def _listed(docs) -> dict[int, str | None]:
    subject = application_subject(docs.application)
    return {
        item.document.id: item.withheld
        for item in documents_for_reviewers(docs.review_round, review_documents(subject))
    }


def test_blinded_phase_shows_chosen_kinds_and_only_redacted_copies_of_those_naming_the_student(
    docs,
):
    assert _listed(docs) == {
        docs.cv_copy.id: None,  # stands in for the CV, which is not listed
        docs.transcript.id: NO_REDACTED_COPY,
        docs.standing.id: NOT_CHOSEN,
        docs.letter.id: NAMES_STUDENT,
    }
    subject = application_subject(docs.application)
    assert visible_documents(docs.review_round, subject) == [docs.cv_copy]


def test_unblinded_phase_shows_every_chosen_kind_and_no_redacted_copy(docs):
    change_phase(docs.review_round, Phase.SECOND, by=docs.director)
    assert _listed(docs) == {
        docs.cv.id: NOT_CHOSEN,
        docs.transcript.id: None,
        docs.standing.id: NOT_CHOSEN,
        docs.letter.id: None,
    }
    subject = application_subject(docs.application)
    assert visible_documents(docs.review_round, subject) == [docs.transcript, docs.letter]


def test_a_phase_that_hides_neither_name_nor_school_shows_originals(docs):
    docs.review_round.hide_name = docs.review_round.hide_school = False
    assert _listed(docs)[docs.cv.id] is None
    assert _listed(docs)[docs.letter.id] is None
    assert docs.cv_copy.id not in _listed(docs)


def test_a_second_phase_that_reveals_nothing_stays_blinded_for_documents(docs):
    docs.review_round.reveal_in_second_phase = False
    docs.review_round.phase = Phase.SECOND
    docs.review_round.revealed_at = utcnow()
    listed = _listed(docs)
    assert listed[docs.letter.id] == NAMES_STUDENT
    assert listed[docs.transcript.id] == NO_REDACTED_COPY
    assert listed[docs.cv.id] == NOT_CHOSEN and docs.cv_copy.id not in listed


def test_reviewer_page_links_the_shown_documents_and_names_the_withheld(client, docs):
    login(client, docs.reviewer)
    page = client.get(f"/reviews/assignments/{docs.assignment.id}").get_data(as_text=True)
    base = f"/reviews/assignments/{docs.assignment.id}/documents"
    assert f'href="{base}/{docs.cv_copy.id}" target="_blank" rel="noopener">CV (redacted copy)' in (
        page
    )
    for withheld in (docs.cv, docs.transcript, docs.standing, docs.letter):
        assert f"{base}/{withheld.id}" not in page
    assert "<li>Letter of recommendation: Withheld: it shows the applicant&#39;s name" in page
    assert "<li>Letter of good standing: Not shown to reviewers in this phase.</li>" in page


def test_withheld_documents_are_refused_even_by_a_guessed_url(client, docs):
    login(client, docs.reviewer)
    base = f"/reviews/assignments/{docs.assignment.id}/documents"
    for withheld in (docs.cv, docs.transcript, docs.standing, docs.letter):
        assert client.get(f"{base}/{withheld.id}").status_code == 403
    assert client.get(f"{base}/999999").status_code == 403
    shown = client.get(f"{base}/{docs.cv_copy.id}")
    assert shown.status_code == 200
    assert shown.headers["Cache-Control"] == "private, no-store"
    assert shown.headers["Content-Disposition"].startswith("attachment")
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "document.download", AuditEvent.target_id == docs.cv_copy.id
        )
    )
    assert (event.actor_id, event.subject_user_id) == (docs.reviewer.id, docs.student.id)
    change_phase(docs.review_round, Phase.SECOND, by=docs.director)
    assert client.get(f"{base}/{docs.letter.id}").status_code == 200
    page = client.get(f"/reviews/assignments/{docs.assignment.id}").get_data(as_text=True)
    assert '<h2 class="h6" id="blinding-title">Documents not shown in this phase</h2>' in page
    assert client.get(f"{base}/{docs.cv.id}").status_code == 403  # not chosen for phase two
    assert client.get(f"{base}/{docs.cv_copy.id}").status_code == 403


def test_a_reviewer_of_another_application_cannot_open_these_documents(client, docs):
    other = factories.make_reviewer(docs.department)
    theirs = factories.make_assignment(
        docs.review_round, factories.make_applicant(docs.department, docs.cycle), other
    )
    login(client, other)
    assert (
        client.get(f"/reviews/assignments/{theirs.id}/documents/{docs.cv_copy.id}").status_code
        == 403
    )
    assert (
        client.get(
            f"/reviews/assignments/{docs.assignment.id}/documents/{docs.cv_copy.id}"
        ).status_code
        == 403
    )


def _settings(**extra) -> dict:
    return {
        "hide_name": "y",
        "hide_school": "y",
        "reveal_in_second_phase": "y",
        "calibration_min_reviews": "5",
        "disagreement_threshold": "1.00",
        "due_on": "",
    } | extra


def test_director_chooses_the_kinds_per_phase_on_the_round_page(client, docs):
    login(client, docs.director)
    page = client.get("/departments/em/reviews/").get_data(as_text=True)
    assert repeated_ids(page) == []
    assert (
        "Letter of recommendation: names the student; withheld while the name or school is hidden"
        in page
    )
    assert "CV: names the student; while the name or school is hidden, only a redacted" in page
    response = client.post(
        "/departments/em/reviews/settings",
        data=_settings(
            version=str(docs.review_round.version),
            first_phase_documents=["transcript", "nonsense"],
            second_phase_documents=["cv", "letter", "good_standing"],
        ),
    )
    assert response.status_code == 302
    saved = db.session.get(ReviewRound, docs.review_round.id)
    assert saved.document_kinds(Phase.FIRST) == {DocumentKind.TRANSCRIPT}
    assert saved.document_kinds(Phase.SECOND) == {
        DocumentKind.CV,
        DocumentKind.GOOD_STANDING,
        DocumentKind.LETTER,
    }
    event = db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "reviews.settings")
        .order_by(AuditEvent.id.desc())
    )
    assert event.detail["first_phase_documents"] == [
        "CV, Transcript, Letter of recommendation",
        "Transcript",
    ]


def test_award_reviews_page_holds_each_id_once(client):
    cycle = factories.make_cycle()
    chair = factories.make_reviewer(None, full_name="Dr. Chair")
    factories.make_review_round(None, cycle)
    login(client, chair)
    page = client.get(f"/reviews/award/?cycle={cycle.slug}").get_data(as_text=True)
    assert repeated_ids(page) == []
    assert '<label class="form-label" for="assign-due_on">Due on</label>' in page
    assert '<label class="form-label" for="due_on">Reviews due on</label>' in page


def test_documents_step_asks_for_a_redacted_copy_the_round_shows_blinded(client, docs):
    draft = factories.make_applicant(docs.department, docs.cycle, state=ApplicationState.DRAFT)
    student = draft.student
    factories.make_document(student, docs.cycle, DocumentKind.CV)
    login(client, student)
    url = f"/applications/{draft.id}/documents"
    page = client.get(url).get_data(as_text=True)
    assert "Redacted copies for blinded review" in page
    assert "<strong>CV</strong>:\n      no redacted copy yet." in page
    assert "<strong>Transcript</strong>:\n      upload your Transcript first" in page
    refused = client.post(
        url,
        data={"kind": "transcript", "redacted": "y", "file": factories.pdf_upload("t.pdf")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 200
    assert "Upload your transcript first; the redacted copy stands in for it." in (
        refused.get_data(as_text=True)
    )
    standing = client.post(
        url,
        data={"kind": "good_standing", "redacted": "y", "file": factories.pdf_upload("g.pdf")},
        content_type="multipart/form-data",
    )
    assert "A letter of good standing has no redacted copy" in standing.get_data(as_text=True)
    uploaded = client.post(
        url,
        data={"kind": "cv", "redacted": "y", "file": factories.pdf_upload("cv-blacked.pdf")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "redacted copy uploaded: <a" in page and "cv-blacked.pdf" in page
    # The redacted copy is no CV of its own: the checklist and compliance read the original.
    assert set(current_documents(student, docs.cycle)) == {DocumentKind.CV}
    copies = current_documents(student, docs.cycle, redacted=True)
    assert [d.original_name for d in copies.values()] == ["cv-blacked.pdf"]


def test_documents_step_asks_nothing_when_no_blinded_phase_shows_a_cv(client, docs):
    docs.review_round.first_phase_documents = "letter"
    draft = factories.make_applicant(docs.department, docs.cycle, state=ApplicationState.DRAFT)
    login(client, draft.student)
    page = client.get(f"/applications/{draft.id}/documents").get_data(as_text=True)
    assert "Redacted copies for blinded review" not in page
