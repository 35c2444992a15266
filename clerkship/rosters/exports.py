"""What each export holds: its columns (as far as the role may see), its rows, its file name.

Every export is a plain Export value built from queries; views and the command line render
it with clerkship.core.tabular (CSV streamed, XLSX write-only) after services.record_export
has written the audit event. Seat type and the pathway flag appear only for roles allowed
to see them (can_see_pathway_flag); self-identification answers only for the roles
pathway.privacy allows, and each student whose answers go out gets a view in the audit log.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from sqlalchemy import select

from clerkship.accounts.models import User
from clerkship.applications.models import Application
from clerkship.applications.permissions import can_see_pathway_flag
from clerkship.core.tabular import Column
from clerkship.core.time import to_local, utcnow
from clerkship.cycles.models import Block, Cycle, Department, Site
from clerkship.extensions import db
from clerkship.pathway import queries as pathway_queries
from clerkship.pathway.services.privacy import export_pathway_values
from clerkship.rosters import queries

FORMATS = {
    "csv": "CSV (UTF-8)",
    "excel": "CSV for Excel (UTF-8 with BOM)",
    "xlsx": "Excel workbook (XLSX)",
}
KINDS = {"roster": "Rotation roster", "contacts": "Contact list"}


def _col(key: str, header: str, kind: str = "text", width: int | None = None) -> Column:
    return Column(key, header, attrgetter(key), kind, width)


def _answer(key: str, header: str) -> Column:
    return Column(key, header, lambda row: row.pathway.get(key, ""), "text", 30)


ROSTER_COLUMNS = [
    _col("name", "Student name", width=28),
    _col("preferred_name", "Preferred name", width=18),
    _col("pronouns", "Pronouns", width=12),
    _col("school", "Medical school", width=34),
    _col("email", "Email", width=32),
    _col("phone", "Phone", width=16),
    _col("block_start", "Block starts", "date", 12),
    _col("block_end", "Block ends", "date", 12),
    _col("site", "Site", width=28),
    _col("rotation", "Rotation", width=30),
    _col("offer_state", "Offer", width=12),
    _col("compliance", "Compliance", width=44),
    _col("award_state", "Award", width=14),
]
FLAG_COLUMNS = [
    _col("seat_type", "Seat type", width=12),
    _col("in_pathway", "UIM pathway", width=12),
]
ANSWER_COLUMNS = [
    _answer("self_identification", "Self-identification"),
    _answer("self_identification_categories", "Self-identification categories"),
    _answer("criteria_met", "Pathway criteria met"),
]
CONTACT_KEYS = (
    "name",
    "preferred_name",
    "pronouns",
    "email",
    "phone",
    "school",
    "block_start",
    "site",
)
DEFAULT_KEYS = {
    "roster": (*(c.key for c in ROSTER_COLUMNS), "seat_type"),
    "contacts": CONTACT_KEYS,
}


def available_columns(user: User | None, department: Department) -> list[Column]:
    """The columns user may put in a roster of department (blinding as on the pages).

    None is the command line run without --as: the department staff's view (flag and seat
    type, never self-identification answers).
    """
    columns = list(ROSTER_COLUMNS)
    if user is None:
        return columns + FLAG_COLUMNS
    if can_see_pathway_flag(user, department):
        columns += FLAG_COLUMNS
    if set(pathway_queries.ANSWER_COLUMNS) <= set(
        pathway_queries.visible_pathway_columns(user, department)
    ):
        columns += ANSWER_COLUMNS
    return columns


def chosen_columns(available: list[Column], keys: Iterable[str]) -> list[Column]:
    """The available columns among keys, in the catalogue's order (others are dropped)."""
    wanted = set(keys)
    return [c for c in available if c.key in wanted]


@dataclass
class Export:
    """A file to produce: its columns, its sheets of rows, and what the audit log says of it."""

    kind: str
    title: str
    stem: str
    columns: list[Column]
    sheets: Callable[[], Iterable[tuple[str, Iterable[Any]]]]
    detail: dict[str, Any] = field(default_factory=dict)

    def rows(self) -> Iterator[Any]:
        """Every row, sheet after sheet (what a CSV holds)."""
        for _, rows in self.sheets():
            yield from rows

    def filename(self, fmt: str) -> str:
        """What and when: department-kind-cycle[-filter]-YYYYMMDD-HHMM.ext."""
        stamp = to_local(utcnow()).strftime("%Y%m%d-%H%M")
        return f"{self.stem}-{stamp}.{'xlsx' if fmt == 'xlsx' else 'csv'}"


def slugify(text: str) -> str:
    """Lower-case words joined by hyphens, safe in a file name."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def roster_export(
    user: User | None,
    department: Department,
    cycle: Cycle,
    *,
    kind: str = "roster",
    keys: Iterable[str] | None = None,
    block: Block | None = None,
    site: Site | None = None,
    group_by: str = "",
) -> Export:
    """The rotation roster or contact list of department in cycle, as user may see it."""
    columns = chosen_columns(available_columns(user, department), keys or DEFAULT_KEYS[kind])
    stem = f"{department.slug}-{kind}-{cycle.slug}"
    scope = "whole department"
    if block is not None:
        stem += f"-block-{block.starts_on:%Y%m%d}-{slugify(block.rotation.code or block.rotation.title)}"
        scope = block.label
    if site is not None:
        stem += f"-{slugify(site.short_name or site.name)}"
        scope = site.name
    if group_by:
        stem += f"-by-{group_by}"
    pathway: dict[int, dict[str, object]] = {}
    if any(c.key in pathway_queries.ANSWER_COLUMNS for c in columns):
        # Answers are read (and each student's view audited) before the file streams, so the
        # audit events commit with the export's own event.
        ids = select(
            queries.roster_statement(
                department, cycle, block_id=block and block.id, site_id=site and site.id
            )
            .subquery()
            .c[1]
        )
        applications = list(db.session.scalars(select(Application).where(Application.id.in_(ids))))
        pathway = export_pathway_values(user, department, applications)

    # Read now: the file is written after the request committed and its records expired.
    source = queries.roster_rows(
        department, cycle, block_id=block and block.id, site_id=site and site.id, group_by=group_by
    )

    def rows() -> Iterator[queries.RosterRow]:
        for row in source:
            if pathway:
                row.pathway = pathway.get(row.application_id, {})
            yield row

    def sheets() -> Iterable[tuple[str, Iterable[Any]]]:
        if group_by == "block":
            return grouped(rows(), attrgetter("block_id"), _block_sheet)
        if group_by == "site":
            return grouped(rows(), attrgetter("site"), attrgetter("site"))
        return [(KINDS[kind], rows())]

    return Export(
        kind=kind,
        title=f"{KINDS[kind]} of {department.name}, {cycle.name} ({scope})",
        stem=stem,
        columns=columns,
        sheets=sheets,
        detail={
            "department": department.slug,
            "cycle": cycle.slug,
            "block": block.id if block else None,
            "site": site.id if site else None,
            "grouping": group_by or None,
            "columns": [c.key for c in columns],
        },
    )


def _block_sheet(row: queries.RosterRow) -> str:
    """A sheet title that fits Excel's 31 characters and sorts by date."""
    return f"{row.block_start:%Y-%m-%d} {row.rotation}"


def grouped(
    rows: Iterator[Any], key: Callable[[Any], Any], title: Callable[[Any], str]
) -> Iterator[tuple[str, Iterator[Any]]]:
    """(title of the first row, rows) per run of equal keys; rows arrive sorted by key."""
    for _, group in itertools.groupby(rows, key=key):
        first = next(group)
        yield title(first), itertools.chain([first], group)  # noqa: B031 - each group read once
