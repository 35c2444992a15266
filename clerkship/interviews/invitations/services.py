"""Inviting applicants to interview: from their applications, or from an imported list."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from clerkship.accounts.models import Membership, Role, User
from clerkship.accounts.services import normalize_email, send_invitation
from clerkship.applications.models import Application
from clerkship.audit.services import record_event
from clerkship.core.rules import RuleViolation
from clerkship.core.tabular import column_keys, upload_text
from clerkship.core.time import utcnow
from clerkship.extensions import db
from clerkship.interviews.models import (
    BookingMode,
    InterviewSeason,
    Invitation,
    InvitationSource,
)
from clerkship.interviews.queries import invite_states
from clerkship.interviews.services import notify
from clerkship.interviews.waitlists.services import lock_season

MAX_IMPORT_ROWS = 5000
MAX_IMPORT_BYTES = 2 * 1024 * 1024
AAMC_ID = re.compile(r"^\d{8}$")
HEADERS = {
    "name": "name",
    "full name": "name",
    "email": "email",
    "email address": "email",
    "aamc id": "aamc_id",
    "aamcid": "aamc_id",
    "aamc": "aamc_id",
    "pathway": "pathway",
    "uim pathway": "pathway",
}
YES, NO = {"yes", "y"}, {"no", "n"}


@dataclass(frozen=True)
class ImportRow:
    """One person of an imported list."""

    line: int
    name: str
    email: str
    aamc_id: str
    pathway: bool


class ImportRefused(RuleViolation):
    """The list has bad rows; each is named by its line with the reason. Nothing was imported."""

    def __init__(self, problems: list[str]):
        super().__init__(
            f"Nothing was imported: {len(problems)} problem(s) to fix in the file.", field="file"
        )
        self.problems = problems


def _check_reply_by(reply_by: datetime) -> None:
    if reply_by <= utcnow():
        raise RuleViolation("The reply deadline must be in the future.", field="reply_by")


def _start_ranking(season: InterviewSeason) -> None:
    """The fair-release ranking window opens with the first invitations."""
    if season.booking_mode is BookingMode.FAIR_RELEASE and season.ranking_closes_at is None:
        season.ranking_closes_at = utcnow() + timedelta(hours=season.ranking_hours)


def invite_applicants(
    season: InterviewSeason,
    applications: Sequence[Application],
    *,
    reply_by: datetime,
    by: User,
) -> list[Invitation]:
    """Invite applicants of the season's department; all of them or, on any problem, none."""
    lock_season(season)
    _check_reply_by(reply_by)
    if not applications:
        raise RuleViolation("Choose at least one applicant to invite.", field="applications")
    invited = set(
        db.session.scalars(select(Invitation.student_id).where(Invitation.season_id == season.id))
    )
    states = invite_states(season)
    for application in applications:
        if (
            application.department_id != season.department_id
            or application.cycle_id != season.cycle_id
            or application.state not in states
        ):
            raise RuleViolation("Choose applicants from the list.", field="applications")
        if application.student_id in invited:
            raise RuleViolation(
                f"{application.student.full_name} is already invited.", field="applications"
            )
        invited.add(application.student_id)
    _start_ranking(season)
    invitations = []
    for application in applications:
        invitation = Invitation(
            season=season,
            student=application.student,
            source=InvitationSource.APPLICATION,
            application=application,
            full_name=application.student.full_name,
            email=application.student.email,
            reply_by=reply_by,
            invited_by_id=by.id,
        )
        db.session.add(invitation)
        invitations.append(invitation)
    db.session.flush()
    for invitation in invitations:
        notify.send_invitation_email(invitation, new_account=False)
        record_event(
            "interview.invite",
            by=by,
            target=invitation,
            subject=invitation.student,
            summary=f"Invited to interview, {season.department.name}",
        )
    return invitations


def parse_invitee_list(data: bytes) -> tuple[list[ImportRow], list[str]]:
    """The rows of a CSV list (name, email, AAMC ID, pathway yes/no) and its problems by line."""
    text, problem = upload_text(data, MAX_IMPORT_BYTES)
    if problem:
        return [], [problem]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as error:
        return [], [f"Line 1: the file cannot be read as CSV ({error})."]
    columns = column_keys(header, HEADERS)
    if header is None or sorted(c for c in columns if c) != ["aamc_id", "email", "name", "pathway"]:
        return [], ["Line 1 must name the four columns: name, email, AAMC ID, pathway."]
    rows, problems, seen_email, seen_aamc = [], [], {}, {}
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(rows) + len(problems) >= MAX_IMPORT_ROWS:
                problems.append(f"The list has more than {MAX_IMPORT_ROWS} rows; split it.")
                break
            if len(record) != len(columns):
                problems.append(
                    f"Line {line}: expected {len(columns)} columns, found {len(record)}."
                )
                continue
            values = {c: cell.strip() for c, cell in zip(columns, record, strict=True) if c}
            row, reasons = _check_row(line, values, seen_email, seen_aamc)
            if reasons:
                problems.append(f"Line {line}: " + " ".join(reasons))
            else:
                rows.append(row)
    except csv.Error as error:
        problems.append(f"Line {reader.line_num}: the file cannot be read as CSV ({error}).")
    if not rows and not problems:
        problems.append("The list has no one in it.")
    return rows, problems


def _check_row(line, values, seen_email, seen_aamc) -> tuple[ImportRow | None, list[str]]:
    reasons = []
    name = " ".join(values["name"].split())
    if not name:
        reasons.append("the name is empty.")
    elif len(name) > 200:
        reasons.append("the name is longer than 200 characters.")
    try:
        email = normalize_email(
            validate_email(values["email"], check_deliverability=False).normalized
        )
    except EmailNotValidError:
        email = ""
        reasons.append(f"“{values['email'][:100]}” is not a valid email address.")
    if email and email in seen_email:
        reasons.append(f"{email} is already on line {seen_email[email]}.")
    aamc_id = values["aamc_id"]
    if not AAMC_ID.match(aamc_id):
        reasons.append(f"the AAMC ID “{aamc_id[:20]}” is not 8 digits.")
    elif aamc_id in seen_aamc:
        reasons.append(f"AAMC ID {aamc_id} is already on line {seen_aamc[aamc_id]}.")
    pathway = values["pathway"].lower()
    if pathway not in YES | NO:
        reasons.append(f"pathway must be yes or no, not “{values['pathway'][:20]}”.")
    if reasons:
        return None, reasons
    seen_email[email] = line
    seen_aamc[aamc_id] = line
    return ImportRow(line, name, email, aamc_id, pathway in YES), []


def import_invitees(
    season: InterviewSeason, data: bytes, *, reply_by: datetime, by: User
) -> list[Invitation]:
    """Invite everyone on a CSV list, creating student accounts for new people; all or nothing."""
    lock_season(season)
    _check_reply_by(reply_by)
    rows, problems = parse_invitee_list(data)
    users = {
        user.email: user
        for user in db.session.scalars(select(User).where(User.email.in_([r.email for r in rows])))
    }
    invited = set(
        db.session.scalars(select(Invitation.student_id).where(Invitation.season_id == season.id))
    )
    for row in rows:
        user = users.get(row.email)
        if user is not None and not user.is_student:
            problems.append(f"Line {row.line}: {row.email} belongs to a staff account.")
        elif user is not None and user.id in invited:
            problems.append(f"Line {row.line}: {row.email} is already invited.")
    if problems:
        raise ImportRefused(sorted(problems, key=_line_number))
    _start_ranking(season)
    invitations, new_people = [], set()
    for row in rows:
        user = users.get(row.email)
        if user is None:
            user = User(email=row.email, full_name=row.name, password_hash=None)
            user.memberships.append(Membership(role=Role.STUDENT))
            db.session.add(user)
            new_people.add(row.email)
        invitation = Invitation(
            season=season,
            student=user,
            source=InvitationSource.IMPORT,
            full_name=row.name,
            email=row.email,
            aamc_id=row.aamc_id,
            imported_pathway=row.pathway,
            reply_by=reply_by,
            invited_by_id=by.id,
        )
        db.session.add(invitation)
        invitations.append(invitation)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        # Someone registered one of these addresses while the list was being imported.
        raise RuleViolation(
            "An account was created for one of these emails meanwhile. Nothing was imported; "
            "upload the list again.",
            field="file",
        ) from error
    for invitation in invitations:
        new_account = invitation.email in new_people
        if new_account:
            send_invitation(invitation.student, by=by)
        notify.send_invitation_email(invitation, new_account=new_account)
    record_event(
        "interview.import",
        by=by,
        target=season,
        summary=f"Imported {len(invitations)} invitees ({len(new_people)} new accounts), "
        f"{season.department.name}",
    )
    return invitations


def _line_number(problem: str) -> int:
    match = re.match(r"Line (\d+):", problem)
    return int(match.group(1)) if match else 0
