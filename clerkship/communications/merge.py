"""Merge fields: `{preferred_name}` placeholders in a message, checked on save, filled safely.

No template language runs on text that staff typed: a placeholder is replaced by its value
with a regular expression and nothing else happens. `{{` and `}}` write literal braces. The
HTML alternative is the same text, escaped, in paragraphs: it holds no link to anything
outside the message, no image and no style sheet, so nothing in it loads from the internet.

Pathway status and self-identification are never merge fields: FIELDS is the whole set, and
a placeholder outside it is refused when a template or a message is saved.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import escape

# Every merge field, with what it holds. A closed list: nothing else is ever substituted.
FIELDS: dict[str, str] = {
    "preferred_name": "the student's preferred name (or full name)",
    "full_name": "the student's full name",
    "department": "the department",
    "institution": "the institution",
    "rotation": "the rotation (the block placed in, or else the first ranked)",
    "block_dates": "that block's dates",
    "interview_day": "the interview day booked",
    "answer_by": "the answer-by date (the date on this message, or the student's own deadline)",
}
# Automatic emails also carry the link to the page the student answers on.
LINK_FIELD = {"link": "the page the student answers on (sign-in required)"}

PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


@dataclass(frozen=True)
class Rendered:
    """One message as a student receives it."""

    subject: str
    text: str
    html: str


def unknown_fields(text: str, allowed: Mapping[str, str] = FIELDS) -> list[str]:
    """The placeholders of text that are not merge fields (a stray brace counts as one)."""
    unknown = [m.group(1) for m in PLACEHOLDER.finditer(text) if m.group(1) is not None]
    unknown = [name for name in unknown if name.strip() not in allowed]
    # A lone brace that is no placeholder: `{` without its `}`.
    leftover = PLACEHOLDER.sub("", text)
    if "{" in leftover or "}" in leftover:
        unknown.append("{" if "{" in leftover else "}")
    return list(dict.fromkeys(unknown))


def field_error(text: str, allowed: Mapping[str, str] = FIELDS) -> str | None:
    """The message shown next to a field whose text uses an unknown placeholder, or None."""
    unknown = unknown_fields(text, allowed)
    if not unknown:
        return None
    names = ", ".join(f"{{{name}}}" if name not in "{}" else f"a lone “{name}”" for name in unknown)
    known = ", ".join(f"{{{name}}}" for name in allowed)
    return (
        f"Unknown merge field: {names}. The merge fields are {known}; "
        "write {{ or }} for a brace."
    )


def fill(text: str, values: Mapping[str, str]) -> str:
    """text with each placeholder replaced by its value (unknown ones by nothing)."""

    def replace(match: re.Match) -> str:
        whole = match.group(0)
        if whole == "{{":
            return "{"
        if whole == "}}":
            return "}"
        return str(values.get(match.group(1).strip(), ""))

    return PLACEHOLDER.sub(replace, text)


def as_html(text: str) -> str:
    """The plain text as a small HTML document: escaped, paragraphs and line breaks kept."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()) if p]
    body = "\n".join(
        "<p>" + "<br>\n".join(str(escape(line)) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )
    return f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"></head><body>\n{body}\n</body></html>\n'


def render(subject: str, body: str, values: Mapping[str, str]) -> Rendered:
    """The message one student receives: subject on one line, text, and its HTML alternative."""
    one_line = " ".join(fill(subject, values).split())
    text = fill(body, values)
    return Rendered(subject=one_line, text=text, html=as_html(text))
