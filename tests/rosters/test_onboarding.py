"""The one onboarding page: a document opened beside its decisions, send back and a new
version, undo, bulk verification of a selection, filters and paging, the start page's
agreement with the page, query counts."""

from __future__ import annotations

import html
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from clerkship.audit.models import AuditEvent
from clerkship.core.downloads import VIEW_POLICY
from clerkship.core.time import local_today, utcnow
from clerkship.demo.pdf import make_pdf
from clerkship.documents.models import Document, DocumentKind
from clerkship.extensions import db
from clerkship.offers.models import OfferState
from clerkship.rosters.services import REJECTED, UNDONE, VERIFIED
from tests import factories
from tests.conftest import body_of, login, repeated_ids


@pytest.fixture
def app_config():
    return {"PAGE_SIZE": 2}


def _current(student, kind: DocumentKind) -> Document | None:
    return db.session.scalar(
        select(Document).where(
            Document.owner_id == student.id, Document.kind == kind, Document.replaced_at.is_(None)
        )
    )


def _url(season, tail: str = "") -> str:
    return f"/departments/{season.department.slug}/onboarding/{tail}"


def _names(page: str) -> list[str]:
    """The students listed on an onboarding page, in order."""
    return [
        html.unescape(n) for n in re.findall(r'<tr id="placement-[0-9]+">\s*<td>([^<]*)</td>', page)
    ]


def _ticks(page: str) -> list[int]:
    """The documents a page offers to tick for bulk verification."""
    return [int(i) for i in re.findall(r'name="selected" value="([0-9]+)"', page)]


def _flashes(page: str) -> list[str]:
    return [
        html.unescape(m)
        for m in re.findall(r'<div class="alert alert-[a-z]+" role="[a-z]+">([^<]*)</div>', page)
    ]


def _count(action: str) -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == action))


def _text(response) -> str:
    return response.get_data(as_text=True)


# Opening a document beside its decisions ----------------------------------------------------


def test_a_document_opens_beside_its_decisions_framed_only_by_our_own_pages(client, season):
    ana = season.placed[0].student
    document = _current(ana, DocumentKind.IMMUNIZATIONS)
    login(client, season.users["coordinator"])
    page = _text(client.get(_url(season, f"documents/{document.id}?cycle={season.cycle.slug}")))
    assert f'<iframe class="document-viewer" src="/documents/{document.id}?view=1"' in page
    assert "Awaiting verification" in page
    assert repeated_ids(page) == []
    shown = client.get(f"/documents/{document.id}?view=1")
    assert shown.status_code == 200
    assert shown.headers["Content-Disposition"].startswith("inline")
    assert shown.headers["Content-Security-Policy"] == VIEW_POLICY
    assert "frame-ancestors 'self'" in VIEW_POLICY
    assert shown.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert shown.headers["Cache-Control"] == "private, no-store"
    assert shown.headers["X-Content-Type-Options"] == "nosniff"
    saved = client.get(f"/documents/{document.id}")
    assert saved.headers["Content-Disposition"].startswith("attachment")
    assert saved.headers["Content-Security-Policy"].startswith("sandbox;")
    assert saved.headers["X-Frame-Options"] == "DENY"
    other = season.users["other_coordinator"]
    login(client, other)
    assert client.get(f"/documents/{document.id}?view=1").status_code == 403


# Sending back, and the new version ---------------------------------------------------------


def test_a_document_sent_back_asks_the_student_for_a_new_version_that_returns_to_the_queue(
    client, season, mailbox
):
    ana = season.placed[0].student
    first = _current(ana, DocumentKind.IMMUNIZATIONS)
    coordinator = season.users["coordinator"]
    login(client, coordinator)
    action = _url(season, f"documents/{first.id}/reject?cycle={season.cycle.slug}")
    empty = _text(client.post(action, data={"reject-reason": "  "}))
    assert 'id="reject-reason-error"' in empty
    assert "Say why the document is sent back" in empty.split('id="reject-reason-error"')[1]
    db.session.refresh(first)
    assert first.rejected_at is None

    reason = "The scan cuts off the second page (hepatitis B titres)."
    sent = client.post(action, data={"reject-reason": reason})
    assert sent.status_code == 302
    assert sent.headers["Location"] == _url(season, f"?cycle={season.cycle.slug}")
    again = client.post(action, data={"reject-reason": reason}, follow_redirects=True)
    assert "That document was already sent back." in _flashes(_text(again))
    db.session.refresh(first)
    assert (first.rejected_by_id, first.rejection_reason) == (coordinator.id, reason)
    assert _count(REJECTED) == 1

    emails = mailbox.to("ana@example.org")
    assert len(emails) == 1
    assert emails[0]["Subject"] == "Emergency Medicine: please upload a new immunization record"
    body = body_of(emails[0])
    assert reason in body
    assert "Upload the new version here: http" in body

    rejected = _text(client.get(_url(season, f"?cycle={season.cycle.slug}&state=rejected")))
    assert _names(rejected) == ["Ana Alvarez"]
    assert "Sent back: a new version is needed" in rejected

    login(client, ana)
    messages = _text(client.get("/messages"))
    assert "Emergency Medicine: please upload a new immunization record" in messages
    documents = _text(client.get("/documents/"))
    sent_back = html.unescape(documents.split('id="sent-back"')[1].split("</div>")[0])
    assert "Your immunization record (immunizations.pdf) was sent back on " in sent_back
    assert f": “{reason}”. " in sent_back
    assert '<a href="#upload-title">Upload a new version</a>' in sent_back
    upload = client.post(
        "/documents/",
        data={
            "kind": "immunizations",
            "expires_on": f"{season.cycle.rotations_end_on.year + 1}-06-30",
            "file": (io.BytesIO(make_pdf(["Immunizations, both pages"])), "immunizations.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302
    second = _current(ana, DocumentKind.IMMUNIZATIONS)
    assert second.id != first.id
    assert (second.rejected_at, second.verified_at) == (None, None)
    assert "A new version is needed" not in _text(client.get("/documents/"))

    login(client, coordinator)
    waiting = _text(client.get(_url(season, f"?cycle={season.cycle.slug}&state=waiting")))
    assert _names(waiting) == ["Ana Alvarez"]
    assert _ticks(waiting) == [second.id]


def test_a_verified_document_cannot_be_sent_back_before_the_verification_is_undone(
    client, season, mailbox
):
    document = _current(season.placed[0].student, DocumentKind.IMMUNIZATIONS)
    login(client, season.users["coordinator"])
    client.post(_url(season, f"documents/{document.id}/verify"))
    page = _text(
        client.post(
            _url(season, f"documents/{document.id}/reject"),
            data={"reject-reason": "Blurred."},
            follow_redirects=True,
        )
    )
    assert "This document is verified; undo the verification first." in _flashes(page)
    db.session.refresh(document)
    assert (document.rejected_at, document.verified_at is not None) == (None, True)
    assert mailbox.to("ana@example.org") == []


def test_after_a_decision_the_next_document_awaiting_verification_opens(client, season):
    chen = season.placed[2].student
    chen_imm = factories.make_document(chen, season.cycle, DocumentKind.IMMUNIZATIONS)
    chen_bls = factories.make_document(chen, season.cycle, DocumentKind.BLS)
    ana_imm = _current(season.placed[0].student, DocumentKind.IMMUNIZATIONS)
    login(client, season.users["coordinator"])
    args = f"?cycle={season.cycle.slug}&state=waiting"
    first = client.post(_url(season, f"documents/{ana_imm.id}/verify{args}&page=1"))
    assert first.headers["Location"] == _url(season, f"documents/{chen_imm.id}{args}")
    second = client.post(
        _url(season, f"documents/{chen_imm.id}/reject{args}"), data={"reject-reason": "Blurred."}
    )
    assert second.headers["Location"] == _url(season, f"documents/{chen_bls.id}{args}")
    last = client.post(_url(season, f"documents/{chen_bls.id}/verify{args}"))
    assert last.headers["Location"] == _url(season, args)


def test_a_redacted_copy_for_reviewers_is_no_onboarding_document(client, season):
    season.department.required_documents = "immunizations,bls,cv"
    ana = season.placed[0].student
    copy = factories.make_document(ana, season.cycle, DocumentKind.CV)
    copy.redacted = True
    db.session.flush()
    cv = factories.make_document(ana, season.cycle, DocumentKind.CV)
    db.session.commit()
    login(client, season.users["coordinator"])
    page = _text(client.get(_url(season, f"?cycle={season.cycle.slug}")))
    assert cv.id in _ticks(page)
    assert copy.id not in _ticks(page)
    assert client.get(_url(season, f"documents/{copy.id}")).status_code == 403
    assert client.post(_url(season, f"documents/{copy.id}/verify")).status_code == 403


# Undo ----------------------------------------------------------------------------------------


def test_a_verification_is_undone_with_its_reason_in_the_audit_log(client, season):
    document = _current(season.placed[0].student, DocumentKind.IMMUNIZATIONS)
    coordinator = season.users["coordinator"]
    login(client, coordinator)
    client.post(_url(season, f"documents/{document.id}/verify"))
    undo = _url(season, f"documents/{document.id}/undo")
    no_reason = _text(client.post(undo, data={"undo-decision": "verified", "undo-reason": ""}))
    assert "Say why the decision is undone" in no_reason.split('id="undo-reason-error"')[1]
    db.session.refresh(document)
    assert document.verified_at is not None

    done = client.post(
        undo, data={"undo-decision": "verified", "undo-reason": "Verified the wrong student."}
    )
    assert done.status_code == 302
    db.session.refresh(document)
    assert (document.verified_at, document.verified_by_id) == (None, None)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == UNDONE))
    assert (event.actor_id, event.target_id) == (coordinator.id, document.id)
    assert event.summary == (
        "Undid the verification of Immunization record for Emergency Medicine: "
        "Verified the wrong student."
    )

    # The same form sent again is stale: the document is no longer verified.
    stale = _text(
        client.post(
            undo,
            data={"undo-decision": "verified", "undo-reason": "Verified the wrong student."},
            follow_redirects=True,
        )
    )
    assert _flashes(stale)[-1] == (
        "This document changed since the page was loaded; look at it again before undoing."
    )
    assert _count(UNDONE) == 1


def test_undoing_a_sending_back_tells_the_student_and_returns_it_to_the_queue(
    client, season, mailbox
):
    document = _current(season.placed[0].student, DocumentKind.IMMUNIZATIONS)
    login(client, season.users["coordinator"])
    client.post(
        _url(season, f"documents/{document.id}/reject"), data={"reject-reason": "Wrong file."}
    )
    client.post(
        _url(season, f"documents/{document.id}/undo"),
        data={"undo-decision": "rejected", "undo-reason": "It was the right file after all."},
    )
    db.session.refresh(document)
    assert (document.rejected_at, document.rejection_reason) == (None, None)
    subjects = [m["Subject"] for m in mailbox.to("ana@example.org")]
    assert subjects == [
        "Emergency Medicine: please upload a new immunization record",
        "Emergency Medicine: your immunization record is not sent back after all",
    ]
    waiting = _text(client.get(_url(season, f"?cycle={season.cycle.slug}&state=waiting")))
    assert _ticks(waiting) == [document.id]


# Bulk verification -----------------------------------------------------------------------


def _select(season, ids, *, scope: str = "", all_matching: bool = False) -> dict:
    data = {
        "selection_source": "onboarding",
        "selection_scope": scope or f"cycle={season.cycle.slug}",
        "selected": [str(i) for i in ids],
    }
    if all_matching:
        data["selection_all"] = "1"
    return data


def test_bulk_verify_verifies_the_allowed_and_names_the_refused(client, season):
    ana, bad, chen = (a.student for a in season.placed)
    ana_imm = _current(ana, DocumentKind.IMMUNIZATIONS)
    ana_bls = _current(ana, DocumentKind.BLS)  # expires during the block
    chen_imm = factories.make_document(chen, season.cycle, DocumentKind.IMMUNIZATIONS)
    chen_bls = factories.make_document(chen, season.cycle, DocumentKind.BLS)
    bad_bls = factories.make_document(bad, season.cycle, DocumentKind.BLS)
    bad_bls.rejected_at, bad_bls.rejection_reason = utcnow(), "Unreadable."
    login(client, season.users["coordinator"])
    page = _text(client.get(_url(season, f"?cycle={season.cycle.slug}")))
    second = _text(client.get(_url(season, f"?cycle={season.cycle.slug}&page=2")))
    assert _ticks(page) + _ticks(second) == [ana_imm.id, chen_imm.id, chen_bls.id]
    assert "All 3 matching this filter" in page

    # Chen uploads a new BLS card after the page was loaded.
    chen_bls.replaced_at = utcnow()
    factories.make_document(chen, season.cycle, DocumentKind.BLS)
    db.session.commit()
    action = _url(season, f"verify-selected?cycle={season.cycle.slug}")
    ticked = [ana_imm.id, chen_imm.id, bad_bls.id, ana_bls.id, chen_bls.id]
    response = client.post(action, data=_select(season, ticked))
    assert response.headers["Location"] == _url(season, f"?cycle={season.cycle.slug}")
    flashes = _flashes(_text(client.get(response.headers["Location"])))
    assert flashes == [
        "Verified 2: Immunization record of Ana Alvarez; Immunization record of Chen Li.",
        'Not verified (3): BLS card of =HYPERLINK("http://x"): sent back to the student; '
        "undo that first; BLS card of Ana Alvarez: expires during the block; BLS card of Chen "
        "Li: no longer on this list: replaced by a new version or changed since the page was "
        "loaded.",
    ]
    for document in (ana_imm, chen_imm, bad_bls, ana_bls, chen_bls):
        db.session.refresh(document)
    assert [d.verified_at is not None for d in (ana_imm, chen_imm, bad_bls, ana_bls, chen_bls)] == [
        True,
        True,
        False,
        False,
        False,
    ]
    assert _count(VERIFIED) == 2

    # The same form sent twice verifies nothing more and writes nothing more.
    twice = client.post(action, data=_select(season, ticked), follow_redirects=True)
    assert _flashes(_text(twice))[0].startswith(
        "Not verified (5): Immunization record of Ana Alvarez: already verified; "
    )
    assert _count(VERIFIED) == 2


def test_bulk_verify_of_all_matching_runs_the_filter_again(client, season):
    chen = season.placed[2].student
    new_bls = factories.make_document(chen, season.cycle, DocumentKind.BLS)
    ana_imm = _current(season.placed[0].student, DocumentKind.IMMUNIZATIONS)
    login(client, season.users["coordinator"])
    august = f"cycle={season.cycle.slug}&block={season.august.id}"
    response = client.post(
        _url(season, f"verify-selected?cycle={season.cycle.slug}"),
        data=_select(season, [], scope=august, all_matching=True),
        follow_redirects=True,
    )
    assert _flashes(_text(response)) == ["Verified 1: BLS card of Chen Li."]
    db.session.refresh(new_bls)
    db.session.refresh(ana_imm)
    assert (new_bls.verified_at is not None, ana_imm.verified_at) == (True, None)
    nothing = client.post(
        _url(season, f"verify-selected?cycle={season.cycle.slug}"),
        data=_select(season, []),
        follow_redirects=True,
    )
    assert _flashes(_text(nothing)) == [
        "Tick the documents to verify, or “All matching this filter”."
    ]


# One rule: the page and the start page agree ---------------------------------------------


def test_the_start_page_and_the_onboarding_page_count_by_the_same_rule(client, season):
    ana, bad, chen = (a.student for a in season.placed)
    today = local_today()
    soon = factories.make_block(
        season.july.rotation,
        season.cycle,
        starts_on=today + timedelta(days=5),
        ends_on=today + timedelta(days=33),
        capacity=4,
        reserved=0,
    )
    late = factories.make_student(full_name="Lee Late")
    application = factories.make_application(late, blocks=[soon])
    factories.make_placement(application, soon, offer_state=OfferState.ACCEPTED)
    # Waiting: Ana's immunizations and Lee's BLS; not waiting: Chen's expired BLS, Bad's
    # rejected immunizations, Lee's verified immunizations.
    factories.make_document(late, season.cycle, DocumentKind.BLS)
    verified = factories.make_document(late, season.cycle, DocumentKind.IMMUNIZATIONS)
    verified.verified_at = utcnow()
    factories.make_document(
        chen, season.cycle, DocumentKind.BLS, expires_on=season.august.starts_on - timedelta(1)
    )
    sent_back = factories.make_document(bad, season.cycle, DocumentKind.IMMUNIZATIONS)
    sent_back.rejected_at, sent_back.rejection_reason = utcnow(), "Wrong person."
    db.session.commit()
    login(client, season.users["coordinator"])
    start = _text(client.get("/"))
    waiting_link = f'href="{_url(season, f"?cycle={season.cycle.slug}&amp;state=waiting")}"'
    assert waiting_link in start
    assert "2 documents to verify" in start
    assert "1 placed student not cleared" in start
    waiting = _text(client.get(_url(season, f"?cycle={season.cycle.slug}&state=waiting")))
    assert "2 documents awaiting verification among them" in waiting
    assert len(_ticks(waiting)) == 2
    nxt = _text(client.get(_url(season, f"?cycle={season.cycle.slug}&show=next_month")))
    assert _names(nxt) == ["Lee Late"]


# Filters, paging, bad arguments -----------------------------------------------------------


def test_filters_and_pages_stay_in_the_url(client, season):
    login(client, season.users["coordinator"])
    c = season.cycle.slug
    first = _text(client.get(_url(season, f"?cycle={c}")))
    assert _names(first) == ['=HYPERLINK("http://x")', "Ana Alvarez"]
    assert f'href="{_url(season, f"?cycle={c}&amp;page=2")}"' in first
    second = _text(client.get(_url(season, f"?cycle={c}&page=2")))
    assert _names(second) == ["Chen Li"]
    august = _text(client.get(_url(season, f"?cycle={c}&block={season.august.id}")))
    assert _names(august) == ["Chen Li"]
    missing = _text(client.get(_url(season, f"?cycle={c}&state=missing")))
    assert _names(missing) == ['=HYPERLINK("http://x")', "Chen Li"]
    not_cleared = _text(client.get(_url(season, f"?cycle={c}&show=not_cleared&page=2")))
    assert _names(not_cleared) == ["Chen Li"]
    assert f'href="{_url(season, f"?cycle={c}&amp;show=not_cleared&amp;page=1")}"' in not_cleared
    expiring = _text(client.get(_url(season, f"?cycle={c}&state=expiring")))
    assert _names(expiring) == ["Ana Alvarez"]
    assert _names(_text(client.get(_url(season, f"?cycle={c}&state=verified")))) == []
    waiting = _text(client.get(_url(season, f"?cycle={c}&state=waiting")))
    assert _names(waiting) == ["Ana Alvarez"]
    assert 'value="waiting" selected' in waiting
    assert _names(_text(client.get(_url(season, f"?cycle={c}&page=99")))) == []


@pytest.mark.parametrize(
    "args",
    [
        "state=bogus",
        "show=everyone",
        "block=999999999",
        "block=abc",
        "page=-1",
        "page=99999999999999999999",
        "state=%00",
        "block=1&block=2",
    ],
)
def test_bad_query_arguments_are_refused_without_error(client, season, args):
    login(client, season.users["coordinator"])
    response = client.get(_url(season, f"?cycle={season.cycle.slug}&{args}"))
    assert response.status_code in (200, 400)
    assert client.get(_url(season, "?cycle=no-such-cycle")).status_code == 404
    bad_scope = client.post(
        _url(season, f"verify-selected?cycle={season.cycle.slug}"),
        data=_select(season, [], scope=args, all_matching=True),
    )
    assert bad_scope.status_code in (302, 400)


def test_bad_query_arguments_name_the_argument(client, season):
    login(client, season.users["coordinator"])
    response = client.get(_url(season, f"?cycle={season.cycle.slug}&state=bogus"))
    assert response.status_code == 400
    assert "state" in _text(response)


# Query counts -----------------------------------------------------------------------------


def _place_more(season, count: int) -> None:
    season.july.capacity = season.august.capacity = 10_000
    for n in range(count):
        student = factories.make_student()
        block = (season.july, season.august)[n % 2]
        application = factories.make_application(student, blocks=[block])
        factories.make_placement(application, block)
        document = factories.make_document(student, season.cycle, DocumentKind.IMMUNIZATIONS)
        if n % 3 == 0:
            document.verified_at = utcnow()
        if n % 3 == 1:
            factories.make_document(student, season.cycle, DocumentKind.BLS)
    db.session.commit()


def test_query_counts_do_not_grow_with_placed_students(client, season, queries):
    login(client, season.users["coordinator"])
    ana_imm = _current(season.placed[0].student, DocumentKind.IMMUNIZATIONS)
    urls = [
        _url(season, f"?cycle={season.cycle.slug}"),
        _url(season, f"?cycle={season.cycle.slug}&state=waiting&page=2"),
        _url(season, f"documents/{ana_imm.id}?cycle={season.cycle.slug}"),
        "/",
    ]
    _place_more(season, 3)
    few = []
    for url in urls:
        client.get(url)
        with queries() as counted:
            assert client.get(url).status_code == 200
        few.append(counted.count)
    _place_more(season, 60)
    many = []
    for url in urls:
        with queries() as counted:
            assert client.get(url).status_code == 200
        many.append(counted.count)
    assert many == few
