"""The department's list of applications at the size of a season.

One reading of the list's filter serves the page, its export and every bulk action on a
selection of it (`read_filters`), so "all matching this filter" means the same rows
everywhere. The database filters, sorts and cuts the page's ids (`listed_ids`); the rows of
a page or an export are then read in a fixed number of statements per 900 rows
(`list_rows`), so a page costs the same at 50 and at 5,000 applications.

Review figures (reviews assigned and in, the composite score) belong to the reviews
feature, which sits above this one: it registers a source (`register_review_figures`)
that gives them per application as the viewer may see them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from flask import Flask, current_app
from sqlalchemy import Select, Subquery, func, or_, select

from clerkship.accounts.models import User
from clerkship.applications.models import (
    Application,
    ApplicationChoice,
    ApplicationState,
    StudentProfile,
)
from clerkship.applications.permissions import can_see_pathway_flag
from clerkship.applications.queries import offered_blocks
from clerkship.core.params import BadParameter, Params
from clerkship.core.selection import Selection
from clerkship.cycles.models import Block, Cycle, Department, Rotation
from clerkship.cycles.queries import current_cycle
from clerkship.extensions import db

LISTED_STATES = [s for s in ApplicationState if s != ApplicationState.DRAFT]
SORTS = {
    "name": "Name",
    "school": "School",
    "first_choice": "First choice",
    "score": "Composite score",
    "reviews": "Reviews in",
    "state": "Status",
    "submitted": "Submitted",
}
# Sorts and filters that need the review figures.
REVIEW_SORTS = frozenset({"score", "reviews"})
REVIEW_FILTERS = {
    "": "Any",
    "unassigned": "No reviewer yet",
    "waiting": "Reviews awaited",
    "complete": "All reviews in",
}
# The query arguments that make the list's filter and order (a selection carries these, so
# that its rows come in the list's order and its action leads back to the list as it was).
FILTER_KEYS = ("cycle", "q", "state", "block", "pathway", "reviews", "sort")
CHUNK = 900  # ids per IN (...): under SQLite's older limit of 999 parameters


@dataclass(frozen=True)
class ListFilters:
    """What the staff list is narrowed and ordered by (already checked)."""

    state: ApplicationState | None = None
    block_id: int | None = None
    q: str = ""
    pathway: bool | None = None
    reviews: str = ""
    sort: str = "submitted"
    descending: bool = False


@dataclass(frozen=True)
class ReviewFigures:
    """Per application of the round: application_id, assigned, submitted and score (whole
    hundredths, NULL where the viewer may not see it yet); scores_current is False while
    the stored composites lag behind the reviews (no score is then shown)."""

    table: Subquery
    scores_current: bool = True


class ReviewFigureSource(Protocol):
    def __call__(
        self, user: User, department: Department, cycle: Cycle
    ) -> ReviewFigures | None: ...


REVIEW_FIGURES_KEY = "clerkship.applications.review_figures"


def register_review_figures(app: Flask, source: ReviewFigureSource) -> None:
    """Let the list show and sort by review figures (the reviews feature registers it)."""
    app.extensions[REVIEW_FIGURES_KEY] = source


def review_figures(user: User, department: Department, cycle: Cycle) -> ReviewFigures | None:
    """The review figures this user may see on the department's list, or None."""
    source = current_app.extensions.get(REVIEW_FIGURES_KEY)
    return source(user, department, cycle) if source is not None else None


def read_filters(
    params: Params, *, blocks: Iterable[Block], sees_pathway: bool, sees_reviews: bool
) -> ListFilters:
    """The list's filter and order from query arguments (or a selection's scope).

    A value outside its choices is a 400 that names the argument; the pathway filter and
    the review figures count only for those who may see them.
    """
    state = params.choice("state", [s.value for s in LISTED_STATES])
    block = params.choice("block", [str(b.id) for b in blocks])
    pathway = params.choice("pathway", ("yes", "no"))
    reviews = params.choice("reviews", [k for k in REVIEW_FILTERS if k]) or ""
    sort = params.choice("sort", [*SORTS, *(f"-{key}" for key in SORTS)], "submitted")
    descending, sort = sort.startswith("-"), sort.lstrip("-")
    if not sees_reviews:
        reviews = ""
        if sort in REVIEW_SORTS:
            sort, descending = "submitted", False
    return ListFilters(
        state=ApplicationState(state) if state else None,
        block_id=int(block) if block else None,
        q=params.text("q", max_length=100) or "",
        pathway=(pathway == "yes") if pathway and sees_pathway else None,
        reviews=reviews,
        sort=sort,
        descending=descending,
    )


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _first_block():
    """The block an application ranked first (its lowest rank), for each row of a query."""
    return (
        select(ApplicationChoice.block_id)
        .where(ApplicationChoice.application_id == Application.id)
        .order_by(ApplicationChoice.rank)
        .limit(1)
        .correlate(Application)
        .scalar_subquery()
    )


def listed_ids(
    department: Department,
    cycle: Cycle,
    filters: ListFilters,
    figures: ReviewFigures | None = None,
) -> Select:
    """Ids of the department's submitted applications (drafts stay private) matching
    filters, in the order asked, ties by id. Only ids are sorted and counted."""
    stmt = select(Application.id).where(
        Application.department_id == department.id,
        Application.cycle_id == cycle.id,
        Application.state != ApplicationState.DRAFT,
    )
    if filters.q or filters.sort == "name":
        stmt = stmt.join(User, User.id == Application.student_id)
    if filters.q or filters.sort == "school":
        stmt = stmt.outerjoin(StudentProfile, StudentProfile.user_id == Application.student_id)
    if filters.state is not None:
        stmt = stmt.where(Application.state == filters.state)
    if filters.block_id is not None:
        stmt = stmt.where(Application.choices.any(ApplicationChoice.block_id == filters.block_id))
    if filters.pathway is not None:
        stmt = stmt.where(Application.in_pathway.is_(filters.pathway))
    if filters.q:
        pattern = _like(filters.q)
        if filters.q.isdigit():
            # Digits are (part of) an AAMC ID: no name or email is searched for them.
            stmt = stmt.where(StudentProfile.aamc_id.like(pattern, escape="\\"))
        else:
            stmt = stmt.where(
                or_(
                    *(
                        func.lower(column).like(pattern, escape="\\")
                        for column in (
                            User.full_name,
                            User.email,
                            StudentProfile.legal_first_name,
                            StudentProfile.legal_last_name,
                            StudentProfile.preferred_name,
                        )
                    )
                )
            )
    table = figures.table if figures is not None else None
    if table is not None and (filters.reviews or filters.sort in REVIEW_SORTS):
        stmt = stmt.outerjoin(table, table.c.application_id == Application.id)
        assigned = func.coalesce(table.c.assigned, 0)
        submitted = func.coalesce(table.c.submitted, 0)
        if filters.reviews == "unassigned":
            stmt = stmt.where(assigned == 0)
        elif filters.reviews == "waiting":
            stmt = stmt.where(assigned > 0, submitted < assigned)
        elif filters.reviews == "complete":
            stmt = stmt.where(assigned > 0, submitted >= assigned)
    if filters.sort == "first_choice":
        stmt = stmt.outerjoin(Block, Block.id == _first_block()).outerjoin(
            Rotation, Rotation.id == Block.rotation_id
        )
    columns = {
        "name": [func.lower(User.full_name)],
        "school": [func.lower(func.coalesce(StudentProfile.medical_school, ""))],
        "first_choice": [Block.starts_on, func.lower(Rotation.title)],
        "state": [Application.state],
        "submitted": [Application.submitted_at],
    }
    if table is not None:
        score = table.c.score if figures.scores_current else None
        columns["score"] = [score] if score is not None else []
        columns["reviews"] = [
            func.coalesce(table.c.submitted, 0),
            func.coalesce(table.c.assigned, 0),
        ]
    order = [
        (c.desc() if filters.descending else c.asc()).nulls_last()
        for c in columns.get(filters.sort, columns["submitted"])
    ]
    return stmt.order_by(*order, Application.id)


@dataclass(slots=True)
class ListRow:
    """One application as the list and its export show it."""

    application_id: int
    student_id: int
    name: str
    email: str
    aamc_id: str
    school: str
    in_pathway: bool
    state: ApplicationState
    submitted_at: datetime | None
    first_choice: str = ""
    first_starts_on: date | None = None
    other_choices: int = 0
    assigned: int | None = None
    reviews_in: int | None = None
    score: Decimal | None = None

    @property
    def reviews_complete(self) -> bool:
        return bool(self.assigned) and (self.reviews_in or 0) >= (self.assigned or 0)


def display_name(full_name: str, preferred: str | None, first: str | None, last: str | None) -> str:
    """The preferred (else legal first) name with the last name, else the account's name."""
    name = f"{preferred or first or ''} {last or ''}".strip()
    return name or full_name


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def list_rows(ids: list[int], figures: ReviewFigures | None = None) -> list[ListRow]:
    """The rows of these applications, in this order (three or four statements per 900)."""
    rows: dict[int, ListRow] = {}
    for chunk in _chunks(ids):
        for r in db.session.execute(
            select(
                Application.id,
                Application.student_id,
                Application.in_pathway,
                Application.state,
                Application.submitted_at,
                User.full_name,
                User.email,
                StudentProfile.preferred_name,
                StudentProfile.legal_first_name,
                StudentProfile.legal_last_name,
                StudentProfile.medical_school,
                StudentProfile.aamc_id,
            )
            .join(User, User.id == Application.student_id)
            .outerjoin(StudentProfile, StudentProfile.user_id == Application.student_id)
            .where(Application.id.in_(chunk))
        ):
            rows[r.id] = ListRow(
                application_id=r.id,
                student_id=r.student_id,
                name=display_name(
                    r.full_name, r.preferred_name, r.legal_first_name, r.legal_last_name
                ),
                email=r.email,
                aamc_id=r.aamc_id or "",
                school=r.medical_school or "",
                in_pathway=bool(r.in_pathway),
                state=r.state,
                submitted_at=r.submitted_at,
            )
        _fill_choices(rows, chunk)
        if figures is not None:
            _fill_figures(rows, chunk, figures)
    return [rows[i] for i in ids if i in rows]


def _fill_choices(rows: dict[int, ListRow], chunk: list[int]) -> None:
    """Each row's first choice and how many other blocks it ranked (one statement)."""
    choices = db.session.execute(
        select(ApplicationChoice.application_id, Rotation.title, Block.starts_on)
        .join(Block, Block.id == ApplicationChoice.block_id)
        .join(Rotation, Rotation.id == Block.rotation_id)
        .where(ApplicationChoice.application_id.in_(chunk))
        .order_by(ApplicationChoice.application_id, ApplicationChoice.rank)
    )
    for application_id, title, starts_on in choices:
        row = rows.get(application_id)
        if row is None:
            continue
        if row.first_choice:
            row.other_choices += 1
        else:
            row.first_choice, row.first_starts_on = title, starts_on


def _fill_figures(rows: dict[int, ListRow], chunk: list[int], figures: ReviewFigures) -> None:
    table = figures.table
    for application_id in chunk:
        if application_id in rows:
            rows[application_id].assigned, rows[application_id].reviews_in = 0, 0
    for application_id, assigned, submitted, score in db.session.execute(
        select(table.c.application_id, table.c.assigned, table.c.submitted, table.c.score).where(
            table.c.application_id.in_(chunk)
        )
    ):
        row = rows.get(application_id)
        if row is None:
            continue
        row.assigned, row.reviews_in = int(assigned or 0), int(submitted or 0)
        if figures.scores_current and score is not None:
            row.score = Decimal(int(score)).scaleb(-2)


def selected_ids(stmt: Select) -> list[int]:
    """Every id a list statement selects (a selection "all matching", an export)."""
    return list(db.session.scalars(stmt))


@dataclass(frozen=True)
class SelectedRows:
    """A selection of the list resolved now: its cycle and the application ids, in list order."""

    cycle: Cycle
    ids: list[int]
    gone: int  # ticked rows no longer matching the filter (not named: they may not be visible)


def selection_cycle(selection: Selection) -> Cycle:
    """The cycle the list of a selection showed (a 400 when it names no cycle)."""
    slug = selection.scope.text("cycle")
    cycle = db.session.scalar(select(Cycle).where(Cycle.slug == slug)) if slug else current_cycle()
    if cycle is None:
        raise BadParameter("This list's cycle does not exist.")
    return cycle


def resolve_selection(user: User, department: Department, selection: Selection) -> SelectedRows:
    """The list's filter run again on the server under user's permissions, narrowed to the
    ticked rows (callers first check that user may see the department's applications)."""
    cycle = selection_cycle(selection)
    figures = review_figures(user, department, cycle)
    filters = read_filters(
        selection.scope,
        blocks=offered_blocks(department, cycle),
        sees_pathway=can_see_pathway_flag(user, department),
        sees_reviews=figures is not None,
    )
    stmt = selection.narrow(listed_ids(department, cycle, filters, figures), Application.id)
    ids = selected_ids(stmt)
    gone = 0 if selection.all_matching else len(set(selection.ids) - set(ids))
    return SelectedRows(cycle, ids, gone)


def names_of(ids: list[int]) -> list[tuple[int, str]]:
    """(id, the student's display name) of these applications, in this order."""
    return [(row.application_id, row.name) for row in list_rows(ids)]
