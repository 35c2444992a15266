"""Who is in the UIM pathway (docs/design.md, "The UIM pathway"), as plain functions."""

from __future__ import annotations

from clerkship.pathway.models import FlagDecision


def automatic_flag(*, award_applicant: bool, self_identified: bool) -> bool:
    """An award applicant is in the pathway, and so is a student who self-identified."""
    return award_applicant or self_identified


def effective_flag(automatic: bool, decision: FlagDecision | None) -> bool:
    """A director's confirmation or withdrawal overrides the automatic rule until returned to it."""
    if decision is FlagDecision.CONFIRMED:
        return True
    if decision is FlagDecision.WITHDRAWN:
        return False
    return automatic
