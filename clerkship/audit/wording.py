"""An audit event's details in words for the log page: names and values, not JSON."""

from __future__ import annotations

EMPTY = "—"


def action_label(action: str) -> str:
    """An action in words: "interview_day.create" reads "Interview day: create"."""
    subject, _, verb = action.partition(".")
    words = subject.replace("_", " ").capitalize()
    return f"{words}: {verb.replace('_', ' ')}" if verb else words


def detail_text(detail: dict) -> str:
    """Each detail as "name: value", separated by semicolons; a change reads "old, new"."""
    return "; ".join(f"{_name(key)}: {_value(value)}" for key, value in detail.items())


def _name(key: str) -> str:
    return str(key).replace("_", " ")


def _value(value) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_value(item) for item in value)
    if isinstance(value, dict):
        return "(" + detail_text(value) + ")"
    return str(value)
