"""Who may reach the letter endpoints; the writer's link is open to anyone who holds it."""

from __future__ import annotations

from tests import factories
from tests.matrix import EVERYONE, Rule

OWNER = frozenset({"student"})
TOKEN = "matrix-letter-token"


def letter(w) -> int:
    """A waiting letter request of "student", whose link token is TOKEN."""
    if "letter" not in w.extra:
        w.extra["letter"] = factories.make_letter(w.users["student"], w.cycle, token=TOKEN)
    return w.extra["letter"].id


RULES = [
    Rule("letters.resend", lambda w: f"/letters/{letter(w)}/resend", OWNER, method="POST"),
    Rule("letters.cancel", lambda w: f"/letters/{letter(w)}/cancel", OWNER, method="POST"),
    Rule("letters.upload", lambda w: (letter(w), f"/letters/write/{TOKEN}")[1], EVERYONE),
    Rule(
        "letters.upload",
        lambda w: (letter(w), f"/letters/write/{TOKEN}")[1],
        EVERYONE,
        method="POST",
    ),
]
