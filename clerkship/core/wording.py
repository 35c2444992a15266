"""A department's own wording of an automatic email: the hook the features that send those
emails ask, filled when the app starts by the feature that keeps the wordings
(communications, a higher layer, registers its provider from its init_app).

The sender calls department_wording() with the values only it knows (the rotation, the
dates, the link); with no wording for that department it gets None and sends its built-in
email. Values are plain strings: the provider fills `{field}` placeholders, never a template.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask import Flask, current_app

EXTENSION_KEY = "clerkship.department_wording"


@dataclass(frozen=True)
class Worded:
    """An automatic email in the department's words: subject, plain text, HTML alternative."""

    subject: str
    text: str
    html: str


# (email name, department id, recipient's user id, the sender's values) -> the email, or None
WordingProvider = Callable[[str, int, int | None, Mapping[str, str]], Worded | None]


def register_wording(app: Flask, provider: WordingProvider) -> None:
    """Hand the senders of automatic emails the department's wording (from init_app)."""
    app.extensions[EXTENSION_KEY] = provider


def department_wording(
    email: str,
    *,
    department_id: int | None,
    recipient_id: int | None,
    values: Mapping[str, str],
) -> Worded | None:
    """The department's own wording of this automatic email, filled in, or None."""
    provider = current_app.extensions.get(EXTENSION_KEY)
    if provider is None or department_id is None:
        return None
    return provider(email, department_id, recipient_id, values)
