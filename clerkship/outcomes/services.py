"""Importing a department's residency rank or match list: read, preview, then replace."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete

from clerkship.accounts.models import User
from clerkship.accounts.services import normalize_email
from clerkship.audit.services import record_event
from clerkship.core.tabular import column_keys, upload_text
from clerkship.core.time import utcnow
from clerkship.cycles.models import Cycle, Department
from clerkship.extensions import db
from clerkship.outcomes import queries
from clerkship.outcomes.models import ListKind, ResidencyList, ResidencyListEntry

MAX_LIST_BYTES = 1024 * 1024
MAX_LIST_ROWS = 5000
AAMC_ID = re.compile(r"^[0-9]{8}$")
RANK = re.compile(r"^[0-9]{1,6}$")
HEADERS = {
    "aamc id": "aamc_id",
    "aamc": "aamc_id",
    "email": "email",
    "email address": "email",
    "rank": "rank",
}


@dataclass(frozen=True)
class FoundRow:
    line: int
    application_id: int
    name: str
    rank: int | None


@dataclass
class ListPreview:
    """What an upload would save: who was found, who was not, and the errors by line."""

    kind: ListKind
    found: list[FoundRow] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def can_confirm(self) -> bool:
        return not self.errors and bool(self.found)


def _read(data: bytes) -> tuple[list[str] | None, list[tuple[int, list[str]]], list[str]]:
    text, problem = upload_text(data, MAX_LIST_BYTES)
    if problem:
        return None, [], [problem]
    reader = csv.reader(io.StringIO(text, newline=""))
    records = []
    try:
        header = next(reader, None)
        for record in reader:
            if any(cell.strip() for cell in record):
                records.append((reader.line_num, record))
            if len(records) > MAX_LIST_ROWS:
                return None, [], [f"The list has more than {MAX_LIST_ROWS} rows; split it."]
    except csv.Error as error:
        return None, [], [f"Line {reader.line_num}: the file cannot be read as CSV ({error})."]
    return column_keys(header, HEADERS, unknown=""), records, []


def preview_list(department: Department, cycle: Cycle, kind: ListKind, data: bytes) -> ListPreview:
    """Read a CSV list (AAMC ID or email, and the rank on a rank list) against the department's
    applicants of the cycle; nothing is saved."""
    preview = ListPreview(kind)
    columns, records, problems = _read(data)
    if problems or columns is None:
        preview.errors = problems
        return preview
    if "aamc_id" not in columns and "email" not in columns:
        preview.errors.append("Line 1 must name an “AAMC ID” or an “Email” column.")
    if kind is ListKind.RANK and "rank" not in columns:
        preview.errors.append("Line 1 must name a “Rank” column on a rank list.")
    if preview.errors:
        return preview
    people = queries.candidates(department, cycle)
    by_email = {p.email: p for p in people}
    by_aamc = {p.aamc_id: p for p in people if p.aamc_id}
    seen: dict[int, int] = {}
    ranks: dict[int, int] = {}
    for line, record in records:
        if len(record) != len(columns):
            preview.errors.append(
                f"Line {line}: expected {len(columns)} columns, found {len(record)}."
            )
            continue
        values = {c: cell.strip() for c, cell in zip(columns, record, strict=True) if c}
        found, reasons, named = _match(values, by_email, by_aamc)
        rank = None
        if kind is ListKind.RANK:
            text = values.get("rank", "")
            if not RANK.match(text) or not 1 <= int(text) <= 100_000:
                reasons.append(f"the rank “{text[:20]}” is not a whole number from 1.")
            elif int(text) in ranks:
                reasons.append(f"rank {int(text)} is already on line {ranks[int(text)]}.")
            else:
                rank = int(text)
        if found is not None and found.application_id in seen:
            reasons.append(f"{found.name} is already on line {seen[found.application_id]}.")
        if reasons:
            preview.errors.append(f"Line {line}: " + " ".join(reasons))
        elif found is None:
            preview.not_found.append(
                f"Line {line}: no applicant to {department.name} in {cycle.name} has {named}."
            )
        else:
            seen[found.application_id] = line
            if rank is not None:
                ranks[rank] = line
            preview.found.append(FoundRow(line, found.application_id, found.name, rank))
    if not records:
        preview.errors.append("The list has no one in it.")
    return preview


def _match(values, by_email, by_aamc):
    """The applicant a row names (by AAMC ID first, else email), its problems, and what it named."""
    aamc_id = values.get("aamc_id", "")
    email = values.get("email", "")
    if aamc_id:
        if not AAMC_ID.match(aamc_id):
            return None, [f"the AAMC ID “{aamc_id[:20]}” is not 8 digits."], ""
        return by_aamc.get(aamc_id), [], f"the AAMC ID {aamc_id}"
    if not email:
        return None, ["the row has neither an AAMC ID nor an email."], ""
    try:
        normalized = normalize_email(validate_email(email, check_deliverability=False).normalized)
    except EmailNotValidError:
        return None, [f"“{email[:100]}” is not a valid email address."], ""
    return by_email.get(normalized), [], f"the email {normalized}"


def replace_list(
    department: Department, cycle: Cycle, kind: ListKind, preview: ListPreview, *, by: User
) -> ResidencyList:
    """Replace the department's list of that kind for the cycle with the previewed rows (audited)."""
    if not preview.can_confirm:
        raise ValueError("Only a list without errors and with someone found can be saved.")
    current = queries.residency_lists(department, cycle).get(kind)
    replaced = 0
    if current is None:
        current = ResidencyList(department=department, cycle=cycle, kind=kind)
        db.session.add(current)
        db.session.flush()
    else:
        replaced = db.session.execute(
            delete(ResidencyListEntry).where(ResidencyListEntry.list_id == current.id)
        ).rowcount
    current.imported_by_id = by.id
    current.imported_at = utcnow()
    db.session.add_all(
        ResidencyListEntry(list_id=current.id, application_id=row.application_id, rank=row.rank)
        for row in preview.found
    )
    record_event(
        f"outcomes.{kind.value}_list_imported",
        by=by,
        target=current,
        summary=f"{kind.label} of {department.name}, {cycle.name}: {len(preview.found)} applicant(s)",
        entries=len(preview.found),
        replaced=replaced,
        not_found=len(preview.not_found),
    )
    db.session.flush()
    return current
