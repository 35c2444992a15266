"""What text from outside may contain: the one rule shared by form fields and query arguments."""

from __future__ import annotations

import unicodedata

# The range of a 64-bit signed integer column (PostgreSQL BIGINT, SQLite INTEGER).
SQL_INTEGER_MIN = -(2**63)
SQL_INTEGER_MAX = 2**63 - 1
# The largest row id: every id column is an INTEGER, 32 bits on PostgreSQL. A larger id in
# a URL or a form would make PostgreSQL refuse the query (a 500), so it matches no row.
ROW_ID_MAX = 2**31 - 1
# Dates a person can mean; outside them time-zone arithmetic overflows and nothing is real.
YEAR_MIN = 1900
YEAR_MAX = 2200

LINE_BREAKS = frozenset("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
ALLOWED_IN_MULTILINE = frozenset("\t\r\n")
CONTROL_MESSAGE = "Remove the control characters (such as NUL) from this text."
LINE_BREAK_MESSAGE = "This must be a single line; remove the line breaks."


def control_character_message(text: str, *, multiline: bool) -> str | None:
    """Why text may not be stored (control characters, or line breaks on one line), or None.

    PostgreSQL refuses NUL in text; a line break in a name or subject line breaks the
    email headers and CSV rows it is later written into. A text area may hold tabs and
    line breaks.
    """
    for char in text:
        if multiline and char in ALLOWED_IN_MULTILINE:
            continue
        if char in LINE_BREAKS:
            return CONTROL_MESSAGE if multiline else LINE_BREAK_MESSAGE
        if unicodedata.category(char) == "Cc":
            return CONTROL_MESSAGE
    return None
