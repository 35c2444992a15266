"""One typed parser for what a request carries outside its forms: query arguments and hidden
fields. A value that does not parse is a 400 with a message, never a 500; an empty filter
is the same as no filter.

    query.page()                         ?page=, 1 when absent
    query.id("cycle")                    a row id, or None
    query.choice("state", STATES)        one of the given strings, or None
    posted.id("cycle_id")                the same readings of the submitted form
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable
from datetime import date
from typing import TypeVar

from flask import Flask, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.routing import BaseConverter, IntegerConverter, Rule

from clerkship.core.text import (
    ROW_ID_MAX,
    SQL_INTEGER_MAX,
    SQL_INTEGER_MIN,
    YEAR_MAX,
    YEAR_MIN,
    control_character_message,
)

E = TypeVar("E", bound=enum.Enum)

INTEGER = re.compile(r"-?[0-9]{1,19}")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
TRUE = frozenset({"1", "true", "yes", "on", "y"})
FALSE = frozenset({"0", "false", "no", "off", "n"})
MAX_PAGE = 1_000_000


class RowIdConverter(IntegerConverter):
    """<int:...> in a route: an id a row can have (1 to 2**31-1), else the route does not match."""

    def __init__(self, url_map, fixed_digits=0, min=1, max=ROW_ID_MAX, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class SegmentConverter(BaseConverter):
    """A text segment of a route (a slug): no control characters, else the route does not match."""

    regex = "[^/\x00-\x1f\x7f-\x9f]+"


def install_converters(app: Flask) -> None:
    """Make every route's <int:...> and <text> segments parse like the query arguments,
    and its URL builders compile when first used.

    Call before any blueprint is registered: rules bind their converters when added.
    """
    app.url_map.converters["int"] = RowIdConverter
    app.url_map.converters["default"] = app.url_map.converters["string"] = SegmentConverter
    app.url_rule_class = LazyBuilderRule


class LazyBuilderRule(Rule):
    """A URL rule whose two URL builders (Werkzeug generates and compiles the source of
    each, for every rule, when the rule is added) are compiled the first time url_for
    needs them. Most of the app's 240 rules are never built by a given process, and the
    compiling was about a tenth of create_app(). Werkzeug is pinned to 3.1 (pyproject):
    Rule.compile assigns the two builders from this method."""

    def _compile_builder(self, append_unknown: bool = True):
        compile_now = super()._compile_builder
        attribute = "_build_unknown" if append_unknown else "_build"

        def build(rule: Rule, **values):
            # The first use: compile, keep, build. Two threads may both compile here;
            # each keeps an identical builder.
            built = compile_now(append_unknown).__get__(rule, None)
            setattr(rule, attribute, built)
            return built(**values)

        return build


class BadParameter(BadRequest):
    """A query argument or hidden field that does not parse; its message says which."""


def parse_int(text: str | None, *, minimum: int = SQL_INTEGER_MIN, maximum: int = SQL_INTEGER_MAX):
    """text as an integer within [minimum, maximum] (ASCII digits only), else None."""
    if text is None or not INTEGER.fullmatch(text.strip()):
        return None
    value = int(text.strip())
    return value if minimum <= value <= maximum else None


def parse_id(text: str | None) -> int | None:
    """text as a row id (1 to 2**31-1), else None."""
    return parse_int(text, minimum=1, maximum=ROW_ID_MAX)


def parse_date(text: str | None) -> date | None:
    """text as an ISO date (YYYY-MM-DD) between the years 1900 and 2200, else None."""
    if text is None or not ISO_DATE.fullmatch(text.strip()):
        return None
    try:
        value = date.fromisoformat(text.strip())
    except ValueError:
        return None
    return value if YEAR_MIN <= value.year <= YEAR_MAX else None


class Params:
    """Typed readings of one source of parameters (the query string or the posted form)."""

    def __init__(self, source: Callable[[], MultiDict], what: str) -> None:
        self._source = source
        self._what = what

    def _bad(self, name: str, expected: str):
        return BadParameter(f"The {self._what} “{name}” must be {expected}.")

    def text(self, name: str, *, max_length: int = 200) -> str | None:
        """A single line of text, stripped; None when absent or empty."""
        value = self._source().get(name)
        if value is None:
            return None
        if control_character_message(value, multiline=False) or len(value) > max_length:
            raise self._bad(name, f"a single line of at most {max_length} characters")
        return value.strip() or None

    def int(
        self,
        name: str,
        default: int | None = None,
        *,
        minimum: int = SQL_INTEGER_MIN,
        maximum: int = SQL_INTEGER_MAX,
    ) -> int | None:
        """An integer within [minimum, maximum]; default when absent or empty."""
        raw = self.text(name)
        if raw is None:
            return default
        value = parse_int(raw, minimum=minimum, maximum=maximum)
        if value is None:
            raise self._bad(name, f"a whole number from {minimum} to {maximum}")
        return value

    def id(self, name: str) -> int | None:
        """A row id; None when absent or empty."""
        return self.int(name, minimum=1, maximum=ROW_ID_MAX)

    def page(self, name: str = "page") -> int:
        """A page number, 1 when absent."""
        return self.int(name, 1, minimum=1, maximum=MAX_PAGE)

    def choice(self, name: str, choices: Iterable[str], default: str | None = None) -> str | None:
        """One of choices; default when absent or empty."""
        raw = self.text(name)
        if raw is None:
            return default
        allowed = list(choices)
        if raw not in allowed:
            raise self._bad(name, "one of " + ", ".join(f"“{c}”" for c in allowed if c))
        return raw

    def enum(self, name: str, enum_class: type[E], default: E | None = None) -> E | None:
        """A member of enum_class given by its value; default when absent or empty."""
        raw = self.choice(name, [str(member.value) for member in enum_class])
        return default if raw is None else enum_class(raw)

    def flag(self, name: str) -> bool:
        """A yes/no switch: 1/true/yes/on or 0/false/no/off; False when absent or empty."""
        raw = self.text(name)
        if raw is None or raw.lower() in FALSE:
            return False
        if raw.lower() in TRUE:
            return True
        raise self._bad(name, "1 or 0")

    def date(self, name: str) -> date | None:
        """An ISO date between 1900 and 2200; None when absent or empty."""
        raw = self.text(name)
        if raw is None:
            return None
        value = parse_date(raw)
        if value is None:
            raise self._bad(name, f"a date (YYYY-MM-DD) between {YEAR_MIN} and {YEAR_MAX}")
        return value


query = Params(lambda: request.args, "query argument")
posted = Params(lambda: request.form, "form field")
