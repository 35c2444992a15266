"""How hard a password is to guess, estimated by zxcvbn (patterns, repeats, common words)."""

from __future__ import annotations

# zxcvbn's own scale: 0 too guessable ... 4 very unguessable; 3 resists an offline attack.
DEFAULT_MIN_SCORE = 3


def guessability_problem(password: str, *, hints: list[str], min_score: int) -> str | None:
    """Why the password is too easy to guess, in words for the person choosing it, or None.

    hints are words an attacker would try first for this person (name, email,
    institution); zxcvbn counts them as easy to guess.
    """
    if not password:
        return None
    from zxcvbn import zxcvbn  # its dictionaries load in a tenth of a second: only when asked

    result = zxcvbn(password[:72], user_inputs=[hint for hint in hints if hint])
    if result["score"] >= min_score:
        return None
    feedback = result["feedback"]
    reason = feedback.get("warning") or "It follows a pattern that is quick to guess."
    advice = " ".join(feedback.get("suggestions") or []) or "Add another uncommon word or two."
    return f"This password is too easy to guess. {_sentence(reason)} {_sentence(advice)}"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."
