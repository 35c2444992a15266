"""The suggestion: shared interests first, then room left; a mentor at capacity is never suggested."""

from __future__ import annotations

from clerkship.mentorship.matching import Candidate, interest_words, suggest


def test_interest_words_drop_short_and_common_words():
    assert interest_words("Research, the ER and LGBTQ+ health") == frozenset(
        {"research", "lgbtq+", "health"}
    )


def test_suggest_ranks_by_shared_interests_then_room_then_name():
    candidates = [
        Candidate(1, "Zoe", "ultrasound, research", capacity=3, taken=0),
        Candidate(2, "Ben", "Spanish, research, wellness", capacity=1, taken=0),
        Candidate(3, "Al", "wellness", capacity=2, taken=0),
        Candidate(4, "Cy", "wellness", capacity=2, taken=0),
    ]
    ranked = suggest("I like research and wellness, and I speak Spanish", candidates)
    assert [(s.candidate.name, s.shared) for s in ranked] == [
        ("Ben", ("research", "spanish", "wellness")),
        ("Zoe", ("research",)),
        ("Al", ("wellness",)),
        ("Cy", ("wellness",)),
    ]


def test_suggest_never_offers_a_mentor_at_capacity():
    candidates = [
        Candidate(1, "Full", "research", capacity=2, taken=2),
        Candidate(2, "None", "research", capacity=0, taken=0),
        Candidate(3, "Room", "knitting", capacity=1, taken=0),
    ]
    assert [s.candidate.name for s in suggest("research", candidates)] == ["Room"]
