"""One selection of rows for bulk actions: a checkbox per row, or "all N matching this filter".

A list page that offers a bulk action renders the macros of templates/_macros/selection.html:
`selection.checkbox(row_id, label)` in each row and `selection.form(action, source, total)`
once, a POST form (with its CSRF token) that carries

- `selection_source`: which list it is (the action's resolver for that list is chosen by it);
- `selection_scope`: the list's filter, as the query string the list was shown with;
- `selected`: the ids of the ticked rows; and `selection_all`: "all N matching this filter".

The action's page reads it with `posted_selection(sources)` and passes it on from page to
page with `Selection.hidden_fields()`. A selection is never a list of ids trusted from the
client: the action's resolver runs the list's filter again, on the server, under the user's
permissions, at every step and at the moment of the action, and `Selection.narrow()` keeps
the ticked ids only where they are among the filter's rows. So "all matching" means the
rows the filter matches when the action runs.

To give another list a bulk action: put the two macros in its template, name the list with
a source string, and in the action resolve `(source, scope)` to rows with the list's own
query, narrowed by `selection.narrow(statement, row_id_column)`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from flask import request
from sqlalchemy import Select
from werkzeug.datastructures import ImmutableMultiDict

from clerkship.core.params import BadParameter, Params, parse_id, posted

MAX_SCOPE_LENGTH = 2000
MAX_SELECTED = 10_000


@dataclass(frozen=True)
class Selection:
    """The rows a user chose on a list: its source, its filter, and ticked ids or all matching."""

    source: str
    scope_query: str = ""
    ids: tuple[int, ...] = ()
    all_matching: bool = False

    @property
    def scope(self) -> Params:
        """The list's filter, read with the same typed parser as its query arguments."""
        args = ImmutableMultiDict(parse_qsl(self.scope_query, keep_blank_values=False))
        return Params(lambda: args, "filter")

    @property
    def is_empty(self) -> bool:
        """Nothing ticked and not "all matching"."""
        return not self.all_matching and not self.ids

    def narrow(self, stmt: Select, id_column) -> Select:
        """stmt restricted to the ticked rows (unchanged for "all matching")."""
        if self.all_matching:
            return stmt
        return stmt.where(id_column.in_(self.ids))

    def hidden_fields(self) -> list[tuple[str, str]]:
        """(name, value) pairs that carry the selection to the next page's form."""
        fields = [("selection_source", self.source), ("selection_scope", self.scope_query)]
        if self.all_matching:
            fields.append(("selection_all", "1"))
        else:
            fields.extend(("selected", str(i)) for i in self.ids)
        return fields


@dataclass(frozen=True)
class BulkOutcome:
    """What a bulk action did: the rows done and those refused with the reason, by name.

    Each row is done whole or not at all; the action's page names every refused one.
    """

    done: list[str]
    refused: list[tuple[str, str]]

    def summary(self, done_text: str, *, names_shown: int = 30) -> str:
        """done_text for the rows done, then the refused ones named (the first few)."""
        parts = [done_text] if self.done else ["Nothing was done."]
        if self.refused:
            named = "; ".join(f"{name} ({why})" for name, why in self.refused[:names_shown])
            more = len(self.refused) - names_shown
            parts.append(f"Not done for: {named}" + (f"; and {more} more." if more > 0 else "."))
        return " ".join(parts)


def scope_of(args: Iterable[tuple[str, str]], keep: Iterable[str]) -> str:
    """The query string of a list's filter: the first of each argument named in keep."""
    wanted, pairs = set(keep), {}
    for key, value in args:
        if key in wanted and value and key not in pairs:
            pairs[key] = value
    return urlencode(list(pairs.items()))


def posted_selection(sources: Iterable[str]) -> Selection | None:
    """The selection the submitted form carries, or None when it carries none.

    A source outside sources, a scope that is not one line or an id that is not a row id
    is a 400 that names the field.
    """
    source = posted.choice("selection_source", list(sources))
    if source is None:
        return None
    scope = posted.text("selection_scope", max_length=MAX_SCOPE_LENGTH) or ""
    raw_ids = request.form.getlist("selected")
    ids = []
    for raw in raw_ids[:MAX_SELECTED]:
        ident = parse_id(raw)
        if ident is None:
            raise BadParameter("The form field “selected” must be row ids.")
        ids.append(ident)
    return Selection(
        source=source,
        scope_query=scope,
        ids=tuple(dict.fromkeys(ids)),
        all_matching=posted.flag("selection_all"),
    )
