"""The compliance tracker: each placed student's required documents against their block's dates.

This module is the one rule of onboarding compliance (item_status): the onboarding page, its
filters, the start page's "documents to verify" and "not cleared" items, the reminders, the
rosters' compliance column and the student's start page all read it.

The required kinds are the department's (applications.checklist.required_kinds, the same
list students see while applying). A document counts when it is current (not replaced),
valid on every day of the block (it does not expire before the block ends) and verified
by a coordinator. Applications check expiry against the first ranked block; once a
student holds a seat, the block they will actually work is what matters.
"""

from __future__ import annotations

import calendar
import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import joinedload

from clerkship.allocation.models import Placement, PlacementState
from clerkship.applications.checklist import required_kinds
from clerkship.applications.models import Application
from clerkship.cycles.models import Block, Cycle, Department
from clerkship.documents.models import Document, DocumentKind
from clerkship.extensions import db


class ItemStatus(enum.Enum):
    """Where one required document stands for one placement."""

    MISSING = "missing"
    REJECTED = "rejected"  # sent back by a coordinator: a new version is asked for
    EXPIRED = "expired"  # expires before the block starts
    EXPIRES_DURING = "expires_during"  # valid on the first day, not on the last
    UNVERIFIED = "unverified"  # uploaded and valid, awaiting a coordinator
    VERIFIED = "verified"

    @property
    def label(self) -> str:
        return ITEM_LABELS[self]

    @property
    def student_must_act(self) -> bool:
        return self in (
            ItemStatus.MISSING,
            ItemStatus.REJECTED,
            ItemStatus.EXPIRED,
            ItemStatus.EXPIRES_DURING,
        )


ITEM_LABELS = {
    ItemStatus.MISSING: "Missing",
    ItemStatus.REJECTED: "Sent back: a new version is needed",
    ItemStatus.EXPIRED: "Expires before the block starts",
    ItemStatus.EXPIRES_DURING: "Expires during the block",
    ItemStatus.UNVERIFIED: "Awaiting verification",
    ItemStatus.VERIFIED: "Verified",
}


def item_status(document: Any, starts_on: date, ends_on: date) -> ItemStatus:
    """The status of a required document (None: not uploaded) for a block's dates.

    document is a Document or a row with its expires_on, verified_at and rejected_at.
    """
    if document is None:
        return ItemStatus.MISSING
    if document.rejected_at is not None:
        return ItemStatus.REJECTED
    if document.expires_on is not None and document.expires_on < starts_on:
        return ItemStatus.EXPIRED
    if document.expires_on is not None and document.expires_on < ends_on:
        return ItemStatus.EXPIRES_DURING
    if document.verified_at is None:
        return ItemStatus.UNVERIFIED
    return ItemStatus.VERIFIED


@dataclass(frozen=True)
class ComplianceItem:
    """One required kind of document for one placement."""

    kind: DocumentKind
    document: Document | None
    status: ItemStatus


@dataclass(frozen=True)
class PlacementCompliance:
    """A placed student's required documents, and whether they are cleared to start."""

    placement: Placement
    items: list[ComplianceItem]

    @property
    def cleared(self) -> bool:
        return all(i.status == ItemStatus.VERIFIED for i in self.items)

    @property
    def outstanding(self) -> list[ComplianceItem]:
        return [i for i in self.items if i.status != ItemStatus.VERIFIED]

    @property
    def student_items(self) -> list[ComplianceItem]:
        """What the student must upload or renew (the reminder's content)."""
        return [i for i in self.items if i.status.student_must_act]


def summary(items: list[ComplianceItem]) -> str:
    """One phrase for a roster cell: "Cleared", or what is outstanding."""
    outstanding = [i for i in items if i.status != ItemStatus.VERIFIED]
    if not outstanding:
        return "Cleared"
    return "; ".join(f"{i.kind.label}: {i.status.label.lower()}" for i in outstanding)


def items_for(
    kinds: Iterable[DocumentKind], held: dict[DocumentKind, Document], block: Block
) -> list[ComplianceItem]:
    """The compliance items of one placement, given the student's current documents."""
    return [
        ComplianceItem(
            kind, held.get(kind), item_status(held.get(kind), block.starts_on, block.ends_on)
        )
        for kind in kinds
    ]


def current_documents_by_student(
    student_ids: Iterable[int], cycle_id: int, kinds: Iterable[DocumentKind]
) -> dict[int, dict[DocumentKind, Document]]:
    """student id -> kind -> current document, for the kinds asked (one query)."""
    ids, wanted = list(set(student_ids)), list(kinds)
    found: dict[int, dict[DocumentKind, Document]] = defaultdict(dict)
    if not ids or not wanted:
        return found
    for document in db.session.scalars(
        select(Document).where(
            Document.owner_id.in_(ids),
            Document.cycle_id == cycle_id,
            Document.replaced_at.is_(None),
            Document.redacted.is_(False),
            Document.kind.in_(wanted),
        )
    ):
        found[document.owner_id][document.kind] = document
    return found


def document_states_by_student(
    student_ids: Iterable[int] | Select, cycle_id: int, kinds: Iterable[DocumentKind]
) -> dict[int, dict[DocumentKind, Any]]:
    """student id -> kind -> the current document's row (one query): its id, expires_on,
    verified_at and rejected_at.

    The rows item_status reads, without loading whole documents: exports call this per chunk.
    student_ids may be a statement selecting them (no list of thousands of parameters).
    """
    ids = student_ids if isinstance(student_ids, Select) else list(set(student_ids))
    wanted = list(kinds)
    found: dict[int, dict[DocumentKind, Any]] = defaultdict(dict)
    if not wanted or (isinstance(ids, list) and not ids):
        return found
    for row in db.session.connection().execute(
        select(
            Document.id,
            Document.owner_id,
            Document.kind,
            Document.expires_on,
            Document.verified_at,
            Document.rejected_at,
        ).where(
            Document.owner_id.in_(ids),
            Document.cycle_id == cycle_id,
            Document.replaced_at.is_(None),
            Document.redacted.is_(False),
            Document.kind.in_(wanted),
        )
    ):
        found[row[1]][row[2]] = row  # owner_id, kind
    return found


def next_month_end(today: date) -> date:
    """The last day of the calendar month after today's."""
    first_of_next = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first_of_next.replace(
        day=calendar.monthrange(first_of_next.year, first_of_next.month)[1]
    )


def placed(
    department: Department,
    cycle: Cycle,
    *,
    starting_by: date | None = None,
    today: date | None = None,
) -> list[Placement]:
    """Held placements of the department in cycle, by block start then name (one query).

    With starting_by, only blocks that start by that day and have not ended before today.
    """
    from clerkship.accounts.models import User
    from clerkship.cycles.models import Rotation

    stmt = (
        select(Placement)
        .join(Placement.application)
        .join(Placement.block)
        .join(Block.rotation)
        .join(User, User.id == Application.student_id)
        .where(
            Placement.state == PlacementState.HELD,
            Application.department_id == department.id,
            Application.cycle_id == cycle.id,
        )
        .options(
            joinedload(Placement.application).joinedload(Application.student),
            joinedload(Placement.block).joinedload(Block.rotation).joinedload(Rotation.site),
        )
        .order_by(Block.starts_on, Rotation.title, User.full_name, Placement.id)
    )
    if starting_by is not None:
        stmt = stmt.where(Block.starts_on <= starting_by)
    if today is not None:
        stmt = stmt.where(Block.ends_on >= today)
    return list(db.session.scalars(stmt).unique())


def compliance_of(department: Department, placements: list[Placement]) -> list[PlacementCompliance]:
    """The compliance of each placement (one query for all their documents)."""
    kinds = required_kinds(department)
    if not placements:
        return []
    cycle_id = placements[0].application.cycle_id
    documents = current_documents_by_student(
        (p.application.student_id for p in placements), cycle_id, kinds
    )
    return [
        PlacementCompliance(
            p, items_for(kinds, documents.get(p.application.student_id, {}), p.block)
        )
        for p in placements
    ]


@dataclass(frozen=True, slots=True)
class PlacedStudent:
    """One held placement as the onboarding page lists it, with its required documents and
    their statuses by the rule (kinds, documents and statuses in the same order)."""

    placement_id: int
    department_id: int
    student_id: int
    name: str
    email: str
    block_id: int
    rotation: str
    site: str
    starts_on: date
    ends_on: date
    kinds: tuple[DocumentKind, ...]
    documents: tuple[Any, ...]  # the current document's row, or None
    statuses: tuple[ItemStatus, ...]

    @property
    def items(self) -> list[ComplianceItem]:
        return [
            ComplianceItem(*i) for i in zip(self.kinds, self.documents, self.statuses, strict=True)
        ]

    @property
    def block_label(self) -> str:
        return f"{self.rotation}, {self.starts_on:%b %-d}–{self.ends_on:%b %-d, %Y}"

    @property
    def cleared(self) -> bool:
        return all(status is ItemStatus.VERIFIED for status in self.statuses)

    def has(self, *statuses: ItemStatus) -> bool:
        """Whether any of its required documents is in one of statuses."""
        return any(status in statuses for status in self.statuses)


def placed_students(
    departments: list[Department],
    cycle: Cycle,
    *,
    block_id: int | None = None,
    student_id: int | None = None,
    starting_by: date | None = None,
    today: date | None = None,
) -> list[PlacedStudent]:
    """Held placements of the departments in cycle, by block start then name, each with its
    required documents' statuses (two queries, whatever the number of students).

    Plain rows, not ORM objects, so that a season of thousands of placed students is read
    and judged in one pass. With starting_by, only blocks that start by that day and have not
    ended before today.
    """
    from clerkship.accounts.models import User
    from clerkship.cycles.models import Rotation, Site

    kinds = {d.id: required_kinds(d) for d in departments}
    if not kinds:
        return []
    stmt = (
        select(
            Placement.id,
            Application.department_id,
            Application.student_id,
            User.full_name,
            User.email,
            Block.id,
            Rotation.title,
            Site.name,
            Block.starts_on,
            Block.ends_on,
        )
        .join(Application, Application.id == Placement.application_id)
        .join(User, User.id == Application.student_id)
        .join(Block, Block.id == Placement.block_id)
        .join(Rotation, Rotation.id == Block.rotation_id)
        .join(Site, Site.id == Rotation.site_id)
        .where(
            Placement.state == PlacementState.HELD,
            Application.department_id.in_(sorted(kinds)),
            Application.cycle_id == cycle.id,
        )
        .order_by(Block.starts_on, Rotation.title, User.full_name, Placement.id)
    )
    if block_id is not None:
        stmt = stmt.where(Block.id == block_id)
    if student_id is not None:
        stmt = stmt.where(Application.student_id == student_id)
    if starting_by is not None:
        stmt = stmt.where(Block.starts_on <= starting_by)
    if today is not None:
        stmt = stmt.where(Block.ends_on >= today)
    rows = db.session.connection().execute(stmt).all()
    wanted = {k for ks in kinds.values() for k in ks}
    students = stmt.with_only_columns(Application.student_id).order_by(None)
    documents = document_states_by_student(students, cycle.id, wanted)
    found, nothing = [], {}
    # The rule's status of no document (whatever the dates), read once: most are missing.
    missing = item_status(None, cycle.rotations_start_on, cycle.rotations_end_on)
    for r in rows:
        held = documents.get(r[2], nothing)
        required = kinds[r[1]]
        present = tuple(map(held.get, required))
        starts_on, ends_on = r[8], r[9]
        statuses = tuple(
            [missing if d is None else item_status(d, starts_on, ends_on) for d in present]
        )
        found.append(PlacedStudent(*r, tuple(required), present, statuses))
    return found


@dataclass(frozen=True, slots=True)
class BlockDates:
    """A block's dates: all items_for reads from a block."""

    starts_on: date
    ends_on: date


def waiting_document_ids(students: Iterable[PlacedStudent]) -> set[int]:
    """The ids of the documents awaiting a coordinator among students' items."""
    waiting = ItemStatus.UNVERIFIED
    return {
        document.id
        for s in students
        for document, status in zip(s.documents, s.statuses, strict=True)
        if status is waiting
    }


# The onboarding page's filters, kept in its URL. "show" narrows by the student,
# "state" by a required document's status.
SHOW = {
    "": "Every placed student",
    "not_cleared": "Not yet cleared",
    "next_month": "Not yet cleared, starting by the end of next month",
}
DOCUMENT_STATES = {
    "": "Any",
    "waiting": "A document awaiting verification",
    "rejected": "A document sent back",
    "missing_expiring": "A document missing or expiring",
    "missing": "A document missing",
    "expiring": "A document expiring before the block ends",
    "verified": "Every document verified",
}
_STATE_STATUSES = {
    "waiting": (ItemStatus.UNVERIFIED,),
    "rejected": (ItemStatus.REJECTED,),
    "missing_expiring": (ItemStatus.MISSING, ItemStatus.EXPIRED, ItemStatus.EXPIRES_DURING),
    "missing": (ItemStatus.MISSING,),
    "expiring": (ItemStatus.EXPIRED, ItemStatus.EXPIRES_DURING),
}


def matches(student: PlacedStudent, *, show: str, state: str) -> bool:
    """Whether a placed student passes the page's filters (SHOW and DOCUMENT_STATES keys)."""
    if show and student.cleared:
        return False
    if state == "verified":
        return student.cleared
    if state:
        return student.has(*_STATE_STATUSES[state])
    return True


def listed_students(
    department: Department,
    cycle: Cycle,
    *,
    show: str = "",
    state: str = "",
    block_id: int | None = None,
    today: date,
) -> list[PlacedStudent]:
    """The onboarding page's list under its filters (SHOW, DOCUMENT_STATES, a block): the same
    rows the page shows and its bulk action acts on (two queries)."""
    soon = show == "next_month"
    students = placed_students(
        [department],
        cycle,
        block_id=block_id,
        starting_by=next_month_end(today) if soon else None,
        today=today if soon else None,
    )
    return [s for s in students if matches(s, show=show, state=state)]


def awaiting_verification(document=Document, block=Block):
    """item_status's "awaiting verification" as a SQL condition on a document and its block,
    for counting in the database: uploaded (current), neither verified nor sent back, valid
    through the block's last day. tests/rosters/test_compliance.py holds the two to the same
    answers over every combination."""
    return and_(
        document.replaced_at.is_(None),
        document.redacted.is_(False),
        document.verified_at.is_(None),
        document.rejected_at.is_(None),
        or_(document.expires_on.is_(None), document.expires_on >= block.ends_on),
    )


def waiting_counts(departments: list[Department], cycle: Cycle) -> dict[int, int]:
    """department id -> documents of its placed students awaiting a coordinator, counted in
    the database (one query): the onboarding page's "awaiting verification"."""
    required = {d.id: {k.value for k in required_kinds(d)} for d in departments}
    found = dict.fromkeys(required, 0)
    if not required:
        return found
    rows = db.session.execute(
        select(Application.department_id, Document.kind, func.count(Document.id.distinct()))
        .select_from(Placement)
        .join(Application, Application.id == Placement.application_id)
        .join(Block, Block.id == Placement.block_id)
        .join(
            Document,
            (Document.owner_id == Application.student_id)
            & (Document.cycle_id == Application.cycle_id),
        )
        .where(
            Placement.state == PlacementState.HELD,
            Application.department_id.in_(sorted(required)),
            Application.cycle_id == cycle.id,
            awaiting_verification(),
        )
        .group_by(Application.department_id, Document.kind)
    )
    for department_id, kind, count in rows:
        if kind.value in required[department_id]:
            found[department_id] += count
    return found
