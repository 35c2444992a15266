"""The mentor suggestion: plain data in, a ranking out (no request, no database)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words too common to say two people share an interest.
STOP_WORDS = frozenset(
    [
        "and",
        "the",
        "for",
        "with",
        "from",
        "into",
        "about",
        "also",
        "any",
        "are",
        "but",
        "can",
        "her",
        "his",
        "its",
        "our",
        "out",
        "their",
        "them",
        "they",
        "this",
        "that",
        "was",
        "were",
        "will",
        "you",
        "your",
        "medicine",
        "medical",
        "student",
        "students",
    ]
)


def interest_words(text: str) -> frozenset[str]:
    """The words of a text that can show a shared interest (lower case, three letters or more)."""
    words = re.findall(r"[a-z0-9+]+", text.lower())
    return frozenset(w for w in words if (len(w) >= 3 or w.endswith("+")) and w not in STOP_WORDS)


@dataclass(frozen=True)
class Candidate:
    """A mentor as the suggestion sees them."""

    mentor_id: int
    name: str
    offers: str
    capacity: int
    taken: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.taken, 0)


@dataclass(frozen=True)
class Suggestion:
    """A mentor with room, and the interests they share with the student."""

    candidate: Candidate
    shared: tuple[str, ...]

    @property
    def score(self) -> int:
        return len(self.shared)


def suggest(interests: str, candidates: list[Candidate]) -> list[Suggestion]:
    """Mentors with room left, most shared interests first, then most room, then by name.

    A mentor at capacity is never suggested.
    """
    wanted = interest_words(interests)
    ranked = [
        Suggestion(c, tuple(sorted(wanted & interest_words(c.offers))))
        for c in candidates
        if c.free > 0
    ]
    ranked.sort(key=lambda s: (-s.score, -s.candidate.free, s.candidate.name.lower()))
    return ranked
