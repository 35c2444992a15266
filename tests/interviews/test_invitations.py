"""Inviting applicants in the system, and importing a CSV list: all of it, or nothing."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from clerkship.accounts.models import Role, User
from clerkship.applications.models import ApplicationState
from clerkship.extensions import db
from clerkship.interviews.models import Invitation, InvitationSource
from tests.conftest import body_of, login
from tests.factories import make_student, make_submitted_application, make_user

URL = "/departments/emergency-medicine/interviews/{cycle}/invitations"


def _url(setting, tail="") -> str:
    return URL.format(cycle=setting.season.cycle.slug) + tail


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_invitations_page_shows_applicants_with_their_pathway_flag(client, setting):
    season = setting.season
    make_submitted_application(
        make_student(full_name="Amara Okafor"), season.department, season.cycle, in_pathway=True
    )
    make_submitted_application(
        make_student(full_name="Ethan Park"),
        season.department,
        season.cycle,
        state=ApplicationState.COMPLETED,
    )
    make_submitted_application(
        make_student(full_name="Draft Person"),
        season.department,
        season.cycle,
        state=ApplicationState.DRAFT,
    )
    make_submitted_application(make_student(full_name="Elsewhere Person"), cycle=season.cycle)
    login(client, setting.director)
    html = client.get(_url(setting)).get_data(as_text=True)
    assert "Amara Okafor" in html and "UIM pathway: yes" in html.split("Amara Okafor")[1][:200]
    assert "UIM pathway: no" in html.split("Ethan Park")[1][:200]
    assert "Draft Person" not in html
    assert "Elsewhere Person" not in html


def test_director_invites_applicants_with_a_reply_deadline(client, setting, mailbox):
    season = setting.season
    chosen = make_submitted_application(
        make_student(full_name="Amara Okafor", email="amara@med.example.edu"),
        season.department,
        season.cycle,
        in_pathway=True,
    )
    login(client, setting.director)
    response = client.post(
        _url(setting), data={"applications": [str(chosen.id)], "reply_by": "2099-01-15"}
    )
    assert response.status_code == 303
    invitation = db.session.scalar(select(Invitation).where(Invitation.application_id == chosen.id))
    assert invitation.source is InvitationSource.APPLICATION
    assert invitation.in_pathway is True
    assert invitation.reply_by.isoformat() == "2099-01-16T07:59:59+00:00"  # end of day, LA
    message = mailbox.last_to("amara@med.example.edu")
    assert message["Subject"] == "Invitation to interview: Emergency Medicine residency"
    assert "Please reply by Jan 15, 2099 11:59 PM PST" in body_of(message)


def test_invite_another_departments_applicant_refused(client, setting):
    stranger = make_submitted_application(cycle=setting.season.cycle)
    login(client, setting.director)
    response = client.post(
        _url(setting), data={"applications": [str(stranger.id)], "reply_by": "2099-01-15"}
    )
    assert response.status_code == 400
    assert "Choose applicants from the list." in response.get_data(as_text=True)
    assert _count(Invitation) == 2  # the setting's own two


def test_invite_with_past_reply_deadline_refused(client, setting):
    season = setting.season
    chosen = make_submitted_application(department=season.department, cycle=season.cycle)
    login(client, setting.director)
    response = client.post(
        _url(setting), data={"applications": [str(chosen.id)], "reply_by": "2020-01-15"}
    )
    html = response.get_data(as_text=True)
    assert "The reply deadline must be in the future." in html.split('id="reply_by-error"')[1]
    assert _count(Invitation) == 2


def _upload(client, setting, text: str | bytes, name="invitees.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        _url(setting, "/import"),
        data={"file": (io.BytesIO(data), name), "reply_by": "2099-02-01"},
        content_type="multipart/form-data",
    )


GOOD = (
    "name,email,AAMC ID,pathway\n"
    "Nia Thompson,nia@som.example.edu,12345678,yes\n"
    "Ethan Park,Ethan.Park@med.example.edu,23456789,no\n"
)


def test_import_creates_student_accounts_and_invites(client, setting, mailbox):
    existing = make_student(email="ethan.park@med.example.edu", full_name="Ethan Park")
    login(client, setting.director)
    users_before = _count(User)
    response = _upload(client, setting, GOOD)
    assert response.status_code == 303
    assert _count(User) == users_before + 1  # Nia is new; Ethan already had an account
    nia = db.session.scalar(select(User).where(User.email == "nia@som.example.edu"))
    assert nia.roles == {Role.STUDENT}
    assert nia.has_password is False
    imported = {
        i.email: (i.student_id, i.aamc_id, i.in_pathway, i.source)
        for i in db.session.scalars(
            select(Invitation).where(Invitation.aamc_id.in_(["12345678", "23456789"]))
        )
    }
    assert imported == {
        "nia@som.example.edu": (nia.id, "12345678", True, InvitationSource.IMPORT),
        "ethan.park@med.example.edu": (existing.id, "23456789", False, InvitationSource.IMPORT),
    }
    subjects = sorted(m["Subject"] for m in mailbox.to("nia@som.example.edu"))
    assert subjects == [
        "Invitation to interview: Emergency Medicine residency",
        "You are invited to clerkship at Keck School of Medicine of USC",
    ]
    assert [m["Subject"] for m in mailbox.to("ethan.park@med.example.edu")] == [
        "Invitation to interview: Emergency Medicine residency"
    ]


def test_import_with_bad_rows_reports_each_by_line_and_imports_nothing(client, setting):
    make_user((Role.COORDINATOR, setting.season.department), email="staff@keck.example.edu")
    invited = setting.other.email
    text = (
        "Name,Email,AAMC ID,Pathway\n"
        "Good Person,good@med.example.edu,11111111,yes\n"
        ",blank@med.example.edu,22222222,no\n"
        "Bad Email,not-an-email,33333333,no\n"
        "Short Id,short@med.example.edu,1234,no\n"
        "Maybe,maybe@med.example.edu,44444444,perhaps\n"
        "Twice,GOOD@med.example.edu,55555555,no\n"
        "Too,many,columns,here,yes\n"
        "Staff Member,staff@keck.example.edu,66666666,no\n"
        f"Already,{invited},77777777,no\n"
        "=cmd|' /C calc'!A0,formula@med.example.edu,11111111,no\n"
    )
    login(client, setting.director)
    users, invitations = _count(User), _count(Invitation)
    response = _upload(client, setting, text)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    problems = html.split('id="import-problems">')[1].split("</ul>")[0]
    assert [p.split("</li>")[0] for p in problems.split("<li>")[1:]] == [
        "Line 3: the name is empty.",
        "Line 4: “not-an-email” is not a valid email address.",
        "Line 5: the AAMC ID “1234” is not 8 digits.",
        "Line 6: pathway must be yes or no, not “perhaps”.",
        "Line 7: good@med.example.edu is already on line 2.",
        "Line 8: expected 4 columns, found 5.",
        "Line 9: staff@keck.example.edu belongs to a staff account.",
        f"Line 10: {invited} is already invited.",
        "Line 11: AAMC ID 11111111 is already on line 2.",
    ]
    assert "Nothing was imported: 9 problem(s) to fix in the file." in html
    assert (_count(User), _count(Invitation)) == (users, invitations)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (GOOD, "invitees.xlsx", "Upload a .csv file"),
        ("name;email;aamc;pathway\n", "x.csv", "Line 1 must name the four columns"),
        ("name,email,AAMC ID,pathway\n", "x.csv", "The list has no one in it."),
        (b"name,email,AAMC ID,pathway\n\xff\xfe,bad\n", "x.csv", "The file is not UTF-8 text"),
        (b"PK\x03\x04\x00\x00binary", "x.csv", "The file is not a CSV text file."),
        ("x" * (2 * 1024 * 1024 + 10), "x.csv", "The file is larger than 2 MB."),
    ],
)
def test_import_refuses_unreadable_files(client, setting, content, name, message):
    login(client, setting.director)
    invitations = _count(Invitation)
    response = _upload(client, setting, content, name=name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(Invitation) == invitations


def test_import_without_a_file_is_explained(client, setting):
    login(client, setting.director)
    response = client.post(_url(setting, "/import"), data={"reply_by": "2099-02-01"})
    assert response.status_code == 400
    assert "Choose a CSV file." in response.get_data(as_text=True).split('id="file-error"')[1]


def test_imported_pathway_flag_decides_reserved_days(client, setting):
    from clerkship.interviews.queries import offered_days
    from tests.factories import make_day

    reserved = make_day(setting.season, reserved=True)
    login(client, setting.director)
    _upload(client, setting, GOOD)
    nia = db.session.scalar(select(Invitation).where(Invitation.email == "nia@som.example.edu"))
    ethan = db.session.scalar(
        select(Invitation).where(Invitation.email == "ethan.park@med.example.edu")
    )
    assert [d.id for d in offered_days(nia)] == [reserved.id]
    assert offered_days(ethan) == []


def test_an_invitations_reply_by_moves_by_as_long_as_its_email_waited(app, setting):
    """A mail outage does not eat the time to reply to an invitation (issue 14, part 6)."""
    from datetime import timedelta

    from sqlalchemy import update

    from clerkship.core.time import utcnow
    from clerkship.interviews.invitations.services import invite_applicants
    from clerkship.outbox.models import MessageState, OutboxMessage
    from tests.conftest import drain_outbox, free_port

    season = setting.season
    application = make_submitted_application(
        make_student(full_name="Amara Okafor"), season.department, season.cycle
    )
    reply_by = utcnow() + timedelta(days=5)
    (invitation,) = invite_applicants(season, [application], reply_by=reply_by, by=setting.director)
    db.session.commit()
    notice = invitation.notice
    assert notice.template == "interview_invitation"
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # the server is down
    drain_outbox(app)
    assert db.session.get(OutboxMessage, notice.id).state is MessageState.QUEUED
    # Three days later the outage ends; the console stands in for the mail server.
    waited = timedelta(days=3)
    queued_at = notice.created_at - waited
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == notice.id)
        .values(created_at=queued_at, next_attempt_at=utcnow())
    )
    db.session.commit()
    app.config["MAIL_SERVER"] = None
    drain_outbox(app)
    notice = db.session.get(OutboxMessage, notice.id)
    invitation = db.session.get(Invitation, invitation.id)
    db.session.refresh(invitation)
    assert notice.state is MessageState.SENT
    # The invitee keeps the five days the email announced, counted from its delivery.
    assert invitation.reply_by == notice.sent_at + (reply_by - notice.created_at)
    assert invitation.reply_by - reply_by >= waited - timedelta(minutes=1)


def test_a_reply_by_is_not_moved_for_an_invitation_already_answered(app, setting):
    from datetime import timedelta

    from clerkship.core.time import utcnow
    from clerkship.interviews.invitations.services import invite_applicants
    from clerkship.interviews.states import InvitationState
    from tests.conftest import drain_outbox

    season = setting.season
    application = make_submitted_application(
        make_student(full_name="Ethan Park"), season.department, season.cycle
    )
    reply_by = utcnow() + timedelta(days=5)
    (invitation,) = invite_applicants(season, [application], reply_by=reply_by, by=setting.director)
    invitation.state = InvitationState.DECLINED
    db.session.commit()
    drain_outbox(app)
    invitation = db.session.get(Invitation, invitation.id)
    db.session.refresh(invitation)
    assert invitation.reply_by == reply_by
