"""Pagination of long filtered lists in one statement: the page's ids and the total together."""

from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select

from clerkship.extensions import db


class CountedPagination(Pagination):
    """A page of ids whose total comes from the same query (count(*) over ()).

    Filtering thousands of applications by name or by missing documents costs one
    pass over them instead of two (the page, then a separate count).
    """

    def _query_items(self) -> list:
        stmt: Select = self._query_args["select"]
        counted = (
            stmt.add_columns(func.count().over().label("total"))
            .limit(self.per_page)
            .offset(self._query_offset)
        )
        rows = db.session.execute(counted).all()
        self._total = rows[0].total if rows else None
        return [row[0] for row in rows]

    def _query_count(self) -> int:
        if self._total is not None:
            return self._total
        # A page past the end has no row to carry the total.
        stmt: Select = self._query_args["select"]
        return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))


def paginate_ids(stmt: Select, *, page: int | None, per_page: int) -> CountedPagination:
    """The page-th page of the ids stmt selects (page 1 for a missing or bad number)."""
    return CountedPagination(
        page=page if page and page > 0 else 1,
        per_page=per_page,
        max_per_page=None,
        error_out=False,
        select=stmt,
    )


class ListPagination(Pagination):
    """A page of a list already ordered in Python (the rest of the list is not loaded)."""

    def _query_items(self) -> list:
        items = self._query_args["items"]
        return items[self._query_offset : self._query_offset + self.per_page]

    def _query_count(self) -> int:
        return len(self._query_args["items"])


def paginate_list(items: list, *, page: int | None, per_page: int) -> ListPagination:
    """The page-th page of items (page 1 for a missing or bad number)."""
    return ListPagination(
        page=page if page and page > 0 else 1,
        per_page=per_page,
        max_per_page=None,
        error_out=False,
        items=items,
    )
