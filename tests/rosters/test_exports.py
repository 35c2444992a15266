"""Roster exports: content, Excel-safe CSV, XLSX read back, blinding, audit, command line."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import openpyxl
from sqlalchemy import select

from clerkship.audit.models import AuditEvent
from clerkship.extensions import db
from clerkship.pathway.queries import ANSWERS_VIEWED
from clerkship.rosters.services import EXPORTED
from tests import factories
from tests.conftest import login

BAD_NAME = '=HYPERLINK("http://x")'
BAD_SCHOOL = 'School, "Quoted"\nSecond line'


def _url(season, **args):
    base = f"/departments/{season.department.slug}/rosters/export?cycle={season.cycle.slug}"
    return base + "".join(
        f"&{key}={v}"
        for key, values in args.items()
        for v in (values if isinstance(values, list) else [values])
    )


def _csv(response) -> list[list[str]]:
    text = response.data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_roster_csv_rows_and_columns_match_the_database(client, season):
    login(client, season.users["coordinator"])
    response = client.get(_url(season, format="csv"))
    assert response.status_code == 200
    rows = _csv(response)
    assert rows[0] == [
        "Student name",
        "Preferred name",
        "Pronouns",
        "Medical school",
        "Email",
        "Phone",
        "Block starts",
        "Block ends",
        "Site",
        "Rotation",
        "Offer",
        "Compliance",
        "Award",
        "Seat type",
    ]
    year = season.cycle.rotations_start_on.year
    july, august = (f"{year}-07-01", f"{year}-07-28"), (f"{year}-08-01", f"{year}-08-28")
    missing_both = "Immunization record: missing; BLS card: missing"
    assert rows[1:] == [
        [
            "'" + BAD_NAME,
            "'@me",
            "'-",
            BAD_SCHOOL,
            "bad@example.org",
            "'+1 213 555 0100",
            *july,
            "LA General",
            "Emergency Medicine",
            "Pending",
            missing_both,
            "",
            "Reserved",
        ],
        [
            "Ana Alvarez",
            "Ani",
            "she/her",
            "Howard University College of Medicine",
            "ana@example.org",
            "213 555 0100",
            *july,
            "LA General",
            "Emergency Medicine",
            "Accepted",
            "Immunization record: awaiting verification; BLS card: expires during the block",
            "",
            "Open",
        ],
        [
            "Chen Li",
            "",
            "",
            "Keck",
            "chen@example.org",
            "213 555 0100",
            *august,
            "LA General",
            "Emergency Medicine",
            "Pending",
            missing_both,
            "",
            "Converted",
        ],
    ]
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_excel_csv_has_a_bom_crlf_and_quotes_commas_quotes_and_newlines(client, season):
    login(client, season.users["coordinator"])
    response = client.get(_url(season, format="excel", columns=["name", "school"]))
    body = response.data
    assert body.startswith(b"\xef\xbb\xbf")
    assert body.decode("utf-8-sig").split("\r\n")[:2] == [
        "Student name,Medical school",
        '"\'=HYPERLINK(""http://x"")","School, ""Quoted""\nSecond line"',
    ]
    assert _csv(response)[1] == ["'" + BAD_NAME, BAD_SCHOOL]


def test_plain_csv_has_no_bom_and_unix_line_ends(client, season):
    login(client, season.users["coordinator"])
    body = client.get(_url(season, format="csv", columns="email")).data
    assert body == b"Email\nbad@example.org\nana@example.org\nchen@example.org\n"


def test_xlsx_reads_back_with_styled_header_frozen_panes_and_dates(client, season):
    login(client, season.users["director"])
    response = client.get(
        _url(season, format="xlsx", by="block", columns=["name", "block_start", "seat_type"])
    )
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    year = season.cycle.rotations_start_on.year
    assert workbook.sheetnames == [
        f"{year}-07-01 Emergency Medicine",
        f"{year}-08-01 Emergency Medicine",
    ]
    first, second = workbook.worksheets
    assert [[c.value for c in row] for row in first.iter_rows()] == [
        ["Student name", "Block starts", "Seat type"],
        ["'" + BAD_NAME, datetime(year, 7, 1), "Reserved"],
        ["Ana Alvarez", datetime(year, 7, 1), "Open"],
    ]
    assert first["B2"].value.date() == date(year, 7, 1)
    assert first["B2"].number_format == "yyyy-mm-dd"
    assert first["A1"].font.b is True
    assert first.freeze_panes == "A2"
    assert [[c.value for c in row] for row in second.iter_rows()][1][0] == "Chen Li"


def test_file_name_says_what_and_when(client, season):
    login(client, season.users["coordinator"])
    response = client.get(_url(season, format="xlsx", block=season.july.id))
    disposition = response.headers["Content-Disposition"]
    prefix = f"attachment; filename=emergency-medicine-roster-{season.cycle.slug}-block-"
    assert disposition.startswith(prefix + f"{season.july.starts_on:%Y%m%d}-em-401-")
    assert disposition.endswith(".xlsx")


def test_filtering_by_block_keeps_only_its_students(client, season):
    login(client, season.users["coordinator"])
    rows = _csv(client.get(_url(season, format="csv", block=season.august.id, columns="email")))
    assert rows == [["Email"], ["chen@example.org"]]


def test_coordinator_cannot_get_self_identification_even_when_asking(client, season):
    factories.make_self_identification(season.placed[1].student, season.cycle)
    login(client, season.users["coordinator"])
    asking = client.get(_url(season, format="csv", columns=["email", "self_identification"]))
    assert asking.status_code == 400
    assert "&#39;self_identification&#39; is not a valid choice" in asking.get_data(as_text=True)
    rows = _csv(client.get(_url(season, format="csv", columns=["email", "in_pathway"])))
    assert rows[0] == ["Email", "UIM pathway"]
    assert rows[1:] == [
        ["bad@example.org", "yes"],
        ["ana@example.org", "no"],
        ["chen@example.org", "yes"],
    ]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == ANSWERS_VIEWED)) is None


def test_admin_export_with_answers_audits_each_student_whose_answers_go_out(client, season):
    factories.make_self_identification(season.placed[1].student, season.cycle)
    admin = season.users["admin"]
    login(client, admin)
    rows = _csv(client.get(_url(season, format="csv", columns=["email", "self_identification"])))
    assert rows[0] == ["Email", "Self-identification"]
    assert [r[0] for r in rows[1:]] == ["bad@example.org", "ana@example.org", "chen@example.org"]
    assert rows[2][1] == ""
    assert rows[1][1] != ""
    viewed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == ANSWERS_VIEWED)).all()
    assert sorted(e.subject_user_id for e in viewed) == sorted(a.student_id for a in season.placed)
    assert {e.actor_id for e in viewed} == {admin.id}


def test_every_export_writes_an_audit_event_naming_who_and_what(client, season):
    coordinator = season.users["coordinator"]
    login(client, coordinator)
    client.get(_url(season, format="xlsx", kind="contacts", site=season.july.rotation.site_id))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == EXPORTED))
    assert event.actor_id == coordinator.id
    assert event.summary == (
        f"Exported Contact list of Emergency Medicine, {season.cycle.name} (LA General) "
        "as Excel workbook (XLSX)"
    )
    assert event.detail["columns"] == [
        "name",
        "preferred_name",
        "pronouns",
        "school",
        "email",
        "phone",
        "block_start",
        "site",
    ]
    assert (event.detail["format"], event.detail["kind"], event.detail["site"]) == (
        "xlsx",
        "contacts",
        season.july.rotation.site_id,
    )


def test_reviewer_and_other_departments_are_refused_and_nothing_is_audited(client, season):
    for role in ("reviewer", "other_coordinator", "committee"):
        login(client, season.users[role])
        assert client.get(_url(season, format="csv")).status_code == 403
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == EXPORTED)) is None


def test_bad_format_or_block_is_a_form_error_not_a_500(client, season):
    login(client, season.users["coordinator"])
    response = client.get(_url(season, format="pdf", block="999999", columns="nope"))
    assert response.status_code == 400
    assert b"Not a valid choice" in response.data
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == EXPORTED)) is None


def test_roster_page_previews_the_chosen_columns(client, season):
    login(client, season.users["coordinator"])
    page = client.get(
        f"/departments/{season.department.slug}/rosters/?cycle={season.cycle.slug}&columns=email&columns=seat_type"
    ).get_data(as_text=True)
    assert '<th scope="col">Email</th><th scope="col">Seat type</th>' in page
    assert page.count("@example.org</td>") == 3


def test_command_line_export_writes_the_file_and_audits(app, season, tmp_path):
    db.session.commit()
    out = tmp_path / "roster.xlsx"
    result = app.test_cli_runner().invoke(
        args=[
            "rosters",
            "export",
            "--department",
            season.department.slug,
            "--cycle",
            season.cycle.name,
            "--format",
            "xlsx",
            "--by",
            "site",
            "-o",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == ["LA General"]
    assert workbook.active.max_row == 4
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == EXPORTED))
    assert (event.actor_id, event.detail["grouping"]) == (None, "site")


def test_command_line_refuses_hidden_columns(app, season, tmp_path):
    db.session.commit()
    result = app.test_cli_runner().invoke(
        args=[
            "rosters",
            "export",
            "--department",
            season.department.slug,
            "--cycle",
            season.cycle.slug,
            "--columns",
            "email,self_identification",
            "-o",
            str(tmp_path / "x.csv"),
        ]
    )
    assert result.exit_code == 2
    assert "Unknown or hidden columns: self_identification" in result.output


def test_interview_schedule_export_lists_bookings_and_is_audited(client, season):
    interview_season = factories.make_season(season.department, season.cycle)
    day = factories.make_day(interview_season, capacity=8)
    invitation = factories.make_invitation(interview_season, season.placed[0].student)
    factories.make_booking(invitation, day)
    login(client, season.users["coordinator"])
    url = (
        f"/departments/{season.department.slug}/rosters/interviews.excel?cycle={season.cycle.slug}"
    )
    rows = _csv(client.get(url))
    assert rows[0][:7] == [
        "Date",
        "Start",
        "End",
        "Format",
        "Location or link",
        "Reserved for UIM pathway",
        "Seats",
    ]
    assert rows[0][7:] == ["Name", "Email", "AAMC ID", "UIM pathway", "Booked at", "How"]
    assert [r[7:9] for r in rows[1:]] == [["Ana Alvarez", "ana@example.org"]]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == EXPORTED))
    assert (event.detail["kind"], event.detail["format"]) == ("interviews", "excel")
    assert client.get(url.replace("interviews.excel", "interviews.pdf")).status_code == 404


def test_award_roster_lists_recipients_with_payments_for_the_committee(client, season):
    from clerkship.awards.models import AwardState

    factories.make_award_settings(season.cycle)
    factories.make_award_application(season.placed[0], state=AwardState.PAID, amount=2000_00)
    factories.make_award_application(season.placed[2], state=AwardState.AWARDED, amount=1000_00)
    factories.make_award_application(season.placed[1], state=AwardState.NOT_AWARDED)
    factories.make_self_identification(season.placed[0].student, season.cycle)
    committee = season.users["committee"]
    login(client, committee)
    response = client.get(f"/rosters/awards.xlsx?cycle={season.cycle.slug}")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "Student name",
        "Email",
        "Medical school",
        "Department",
        "Block starts",
        "Block ends",
        "Award state",
        "Amount awarded",
        "Paid on",
        "Amount paid",
        "Payment reference",
    ]
    assert sorted((r[0], r[6], r[7], r[9], r[10]) for r in rows[1:]) == [
        ("Ana Alvarez", "Paid", 2000, 2000, "REF-1"),
        ("Chen Li", "Awarded", 1000, None, None),
    ]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == ANSWERS_VIEWED)) is None
    with_answers = client.get(f"/rosters/awards.csv?cycle={season.cycle.slug}&answers=1")
    assert _csv(with_answers)[0][-1] == "Self-identification"
    viewed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == ANSWERS_VIEWED)).all()
    assert sorted(e.subject_user_id for e in viewed) == sorted(
        [season.placed[0].student_id, season.placed[2].student_id]
    )
    login(client, season.users["coordinator"])
    assert client.get(f"/rosters/awards.csv?cycle={season.cycle.slug}").status_code == 403
