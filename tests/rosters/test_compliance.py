"""The compliance tracker: statuses against block dates, verification, reminders, next month."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from clerkship.audit.models import AuditEvent
from clerkship.core.rules import RuleViolation
from clerkship.core.time import local_today, utcnow
from clerkship.documents.models import Document, DocumentKind
from clerkship.extensions import db
from clerkship.rosters import compliance
from clerkship.rosters.compliance import ItemStatus, item_status
from clerkship.rosters.models import ComplianceReminder
from clerkship.rosters.services import (
    REMINDED,
    VERIFIED,
    send_compliance_reminders,
    verify_document,
)
from tests import factories
from tests.conftest import body_of, login

START, END = date(2027, 7, 1), date(2027, 7, 28)


@pytest.mark.parametrize(
    ("expires_on", "verified", "status"),
    [
        (date(2027, 6, 30), True, ItemStatus.EXPIRED),
        (START, False, ItemStatus.EXPIRES_DURING),
        (date(2027, 7, 27), True, ItemStatus.EXPIRES_DURING),
        (END, False, ItemStatus.UNVERIFIED),
        (END, True, ItemStatus.VERIFIED),
        (None, True, ItemStatus.VERIFIED),
        (None, False, ItemStatus.UNVERIFIED),
    ],
)
def test_item_status_measures_expiry_against_the_block_dates(expires_on, verified, status):
    document = Document(expires_on=expires_on, verified_at=utcnow() if verified else None)
    assert item_status(document, START, END) == status


@pytest.mark.parametrize("expires_on", [date(2027, 6, 30), START, None])
def test_a_document_sent_back_is_sent_back_whatever_its_expiry(expires_on):
    document = Document(expires_on=expires_on, verified_at=None, rejected_at=utcnow())
    assert item_status(document, START, END) == ItemStatus.REJECTED
    assert ItemStatus.REJECTED.student_must_act is True


def test_item_status_of_no_document_is_missing():
    assert item_status(None, START, END) == ItemStatus.MISSING


def test_next_month_end_is_the_last_day_of_the_following_month():
    assert compliance.next_month_end(date(2027, 1, 31)) == date(2027, 2, 28)
    assert compliance.next_month_end(date(2027, 12, 15)) == date(2028, 1, 31)


def test_placed_students_rows_and_cleared(app, season):
    ana = season.placed[0]
    immunizations = db.session.scalar(
        select(Document).where(
            Document.owner_id == ana.student_id, Document.kind == DocumentKind.IMMUNIZATIONS
        )
    )
    immunizations.verified_at = utcnow()
    bls = db.session.scalar(
        select(Document).where(
            Document.owner_id == ana.student_id, Document.kind == DocumentKind.BLS
        )
    )
    bls.expires_on = season.july.ends_on  # valid on the last day
    placements = compliance.placed(season.department, season.cycle)
    rows = compliance.compliance_of(season.department, placements)
    by_name = {r.placement.application.student.full_name: r for r in rows}
    assert [i.status for i in by_name["Ana Alvarez"].items] == [
        ItemStatus.VERIFIED,
        ItemStatus.UNVERIFIED,
    ]
    assert by_name["Ana Alvarez"].cleared is False
    bls.verified_at = utcnow()
    rows = compliance.compliance_of(season.department, placements)
    assert [r.cleared for r in rows] == [False, True, False]
    assert [i.status for i in rows[2].items] == [ItemStatus.MISSING, ItemStatus.MISSING]


def test_coordinator_verifies_a_document_with_audit(client, season):
    coordinator = season.users["coordinator"]
    ana = season.placed[0]
    document = db.session.scalar(
        select(Document).where(
            Document.owner_id == ana.student_id, Document.kind == DocumentKind.IMMUNIZATIONS
        )
    )
    login(client, coordinator)
    page = client.get(
        f"/departments/{season.department.slug}/onboarding/?cycle={season.cycle.slug}"
    )
    opened = f"/departments/{season.department.slug}/onboarding/documents/{document.id}"
    assert f'href="{opened}?cycle={season.cycle.slug}"' in page.get_data(as_text=True)
    beside = client.get(f"{opened}?cycle={season.cycle.slug}").get_data(as_text=True)
    assert f'src="/documents/{document.id}?view=1"' in beside
    action = f"{opened}/verify"
    assert f'action="{action}?cycle={season.cycle.slug}"' in beside
    response = client.post(action)
    assert response.status_code == 302
    db.session.refresh(document)
    assert document.verified_by_id == coordinator.id
    assert document.verified_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == VERIFIED))
    assert (event.actor_id, event.subject_user_id, event.target_id) == (
        coordinator.id,
        ana.student_id,
        document.id,
    )
    again = client.post(action, follow_redirects=True)
    assert "That document was already verified." in again.get_data(as_text=True)
    assert (
        db.session.scalar(select(db.func.count(AuditEvent.id)).where(AuditEvent.action == VERIFIED))
        == 1
    )


def test_verifying_a_document_of_an_unplaced_student_is_refused(client, season):
    stranger = factories.make_student()
    document = factories.make_document(stranger, season.cycle, DocumentKind.BLS)
    login(client, season.users["coordinator"])
    response = client.post(
        f"/departments/{season.department.slug}/onboarding/documents/{document.id}/verify"
    )
    assert response.status_code == 403
    missing = client.post(
        f"/departments/{season.department.slug}/onboarding/documents/999999/verify"
    )
    assert missing.status_code == 403
    db.session.refresh(document)
    assert document.verified_at is None


def test_a_document_the_department_does_not_require_is_no_onboarding_document(client, season):
    document = factories.make_document(season.placed[0].student, season.cycle, DocumentKind.CV)
    login(client, season.users["coordinator"])
    base = f"/departments/{season.department.slug}/onboarding/documents/{document.id}"
    assert client.get(base).status_code == 403
    assert client.post(f"{base}/verify").status_code == 403
    assert client.post(f"{base}/reject", data={"reject-reason": "No."}).status_code == 403
    with pytest.raises(RuleViolation) as refused:
        verify_document(document, season.department, by=season.users["coordinator"])
    assert refused.value.message == "Emergency Medicine does not require a cv."
    db.session.refresh(document)
    assert (document.verified_at, document.rejected_at) == (None, None)


def test_reminders_email_students_with_missing_or_expiring_items_once_a_day(app, season, mailbox):
    sent = send_compliance_reminders(season.department, season.cycle, today=local_today(), by=None)
    db.session.commit()
    assert sent == 3
    ana = mailbox.last_to("ana@example.org")
    assert ana["Subject"] == "Documents needed before your Emergency Medicine rotation"
    body = body_of(ana)
    assert "- BLS card: expires during the block (it expires on" in body
    assert "Immunization record" not in body  # uploaded and valid: the coordinator's to verify
    assert "- Immunization record: missing" in body_of(mailbox.last_to("chen@example.org"))
    assert sorted(m["To"] for m in mailbox.messages) == [
        "ana@example.org",
        "bad@example.org",
        "chen@example.org",
    ]
    assert (
        db.session.scalar(select(db.func.count(AuditEvent.id)).where(AuditEvent.action == REMINDED))
        == 3
    )
    again = send_compliance_reminders(season.department, season.cycle, today=local_today(), by=None)
    db.session.commit()
    assert again == 0
    assert db.session.scalar(select(db.func.count(ComplianceReminder.id))) == 3
    tomorrow = send_compliance_reminders(
        season.department, season.cycle, today=local_today() + timedelta(days=1), by=None
    )
    assert tomorrow == 3


def test_reminder_command_for_a_scheduler(app, season, mailbox):
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["rosters", "remind", "--cycle", season.cycle.slug])
    assert result.exit_code == 0, result.output
    assert result.output == "3 reminder(s) sent.\n"
    assert len(mailbox.to("chen@example.org")) == 1


def test_remind_button_sends_and_says_how_many(client, season, mailbox):
    login(client, season.users["coordinator"])
    page = client.post(
        f"/departments/{season.department.slug}/onboarding/remind?cycle={season.cycle.slug}",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Reminders sent to 3 students (nobody is reminded twice in a day)." in page


def test_not_cleared_next_month_lists_only_blocks_starting_soon(client, season):
    today = local_today()
    soon = factories.make_block(
        season.july.rotation,
        season.cycle,
        starts_on=today + timedelta(days=3),
        ends_on=today + timedelta(days=30),
        capacity=4,
        reserved=0,
    )
    later = factories.make_block(
        season.july.rotation,
        season.cycle,
        starts_on=today + timedelta(days=80),
        ends_on=today + timedelta(days=100),
        capacity=4,
        reserved=0,
    )
    for name, block in (("Soon Student", soon), ("Later Student", later)):
        application = factories.make_application(
            factories.make_student(full_name=name),
            blocks=[block],
            state=factories.ApplicationState.SUBMITTED,
        )
        factories.make_placement(application, block)
    login(client, season.users["coordinator"])
    page = client.get(
        f"/departments/{season.department.slug}/onboarding/?cycle={season.cycle.slug}&show=next_month"
    ).get_data(as_text=True)
    assert "Soon Student" in page
    assert "Later Student" not in page
    assert "Ana Alvarez" not in page


def test_two_schedulers_at_once_send_each_reminder_once(app, season, mailbox):
    import threading

    from clerkship.core.database import writes_ahead
    from clerkship.cycles.models import Cycle, Department

    db.session.commit()
    department_id, cycle_id = season.department.id, season.cycle.id
    counts, errors = [], []
    barrier = threading.Barrier(2)

    def run():
        with app.app_context():
            try:
                writes_ahead()
                barrier.wait(timeout=10)
                department = db.session.get(Department, department_id)
                cycle = db.session.get(Cycle, cycle_id)
                counts.append(
                    send_compliance_reminders(department, cycle, today=local_today(), by=None)
                )
                db.session.commit()
            except Exception as error:
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert sum(counts) == 3
    assert len(mailbox.messages) == 3
    db.session.rollback()  # a fresh snapshot, after both threads committed
    assert db.session.scalar(select(db.func.count(ComplianceReminder.id))) == 3


def test_the_database_count_of_awaiting_documents_says_what_item_status_says(app, season):
    from itertools import product

    from clerkship.cycles.models import Block
    from clerkship.rosters.compliance import awaiting_verification

    july = season.july
    expiries = [
        None,
        july.starts_on - timedelta(days=1),
        july.starts_on,
        july.ends_on - timedelta(days=1),
        july.ends_on,
        july.ends_on + timedelta(days=1),
    ]
    expected, documents = set(), []
    for expires_on, decided, replaced in product(expiries, (None, "verified", "rejected"), (0, 1)):
        document = factories.make_document(
            factories.make_student(), season.cycle, DocumentKind.BLS, expires_on=expires_on
        )
        document.expires_on = expires_on
        if decided == "verified":
            document.verified_at = utcnow()
        if decided == "rejected":
            document.rejected_at = utcnow()
        if replaced:
            document.replaced_at = utcnow()
        elif item_status(document, july.starts_on, july.ends_on) is ItemStatus.UNVERIFIED:
            expected.add(document.id)
        documents.append(document)
    db.session.flush()
    counted = set(
        db.session.scalars(
            select(Document.id).where(
                Document.id.in_([d.id for d in documents]),
                Block.id == july.id,
                awaiting_verification(),
            )
        )
    )
    assert len(documents) == 36
    assert counted == expected
    assert len(expected) == 3  # no expiry, valid to the last day, valid beyond it
