"""The states and kinds of interview records, as enums stored by value."""

from __future__ import annotations

import enum


class BookingMode(enum.Enum):
    """How a season's invitees get their days."""

    FIRST_COME = "first_come"
    FAIR_RELEASE = "fair_release"

    @property
    def label(self) -> str:
        if self is BookingMode.FIRST_COME:
            return "First come, first served"
        return "Fair release (rank the days, then a random draw)"


class DayFormat(enum.Enum):
    """Where an interview day happens."""

    IN_PERSON = "in_person"
    VIRTUAL = "virtual"

    @property
    def label(self) -> str:
        return "In person" if self is DayFormat.IN_PERSON else "Virtual"


class InvitationSource(enum.Enum):
    """Whom an invitation went to: an applicant in the system, or a row of an imported list."""

    APPLICATION = "application"
    IMPORT = "import"


class InvitationState(enum.Enum):
    """An invitation's answer; an unanswered one expires at its reply deadline."""

    INVITED = "invited"
    ACCEPTED = "accepted"  # booked, ranked or joined a waitlist
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"  # by the department: the day and waitlist places are given up


class BookingState(enum.Enum):
    BOOKED = "booked"
    CANCELLED = "cancelled"


class BookingVia(enum.Enum):
    """How a booking came about."""

    SELF = "self"
    DRAW = "draw"
    WAITLIST = "waitlist"

    @property
    def label(self) -> str:
        return {"self": "Booked", "draw": "Fair-release draw", "waitlist": "From the waitlist"}[
            self.value
        ]


class WaitlistState(enum.Enum):
    WAITING = "waiting"
    OFFERED = "offered"  # a seat is held for them until offer_expires_at
    BOOKED = "booked"
    DECLINED = "declined"
    EXPIRED = "expired"
    LEFT = "left"


class SeasonPhase(enum.Enum):
    """Where a season is: fair release goes through ranking and the draw before opening."""

    SETUP = "setup"  # fair release, no invitation sent yet
    RANKING = "ranking"
    AWAITING_DRAW = "awaiting_draw"
    OPEN = "open"  # days with room are booked first come, first served
