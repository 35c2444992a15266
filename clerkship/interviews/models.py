"""Interview seasons, their days, invitations, bookings, waitlists, rankings and draws.

Two invariants are kept by the database itself, so that no bug and no race can break
them: a day never has more seats taken than it has (`taken <= capacity`, where
`taken` counts bookings and seats held for waitlist offers), and a reserved day never
has a booking or an open waitlist place outside the pathway. For the second, bookings
and waitlist entries carry their day's reserved flag through a composite foreign key
(kept in step by ON UPDATE CASCADE) and the booker's pathway flag at the time, and a
CHECK refuses the combination.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clerkship.accounts.models import User
from clerkship.applications.models import Application
from clerkship.core.time import to_local, utcnow
from clerkship.core.types import UTCDateTime, enum_type
from clerkship.cycles.models import Cycle, Department
from clerkship.extensions import db
from clerkship.interviews.states import (
    BookingMode,
    BookingState,
    BookingVia,
    DayFormat,
    InvitationSource,
    InvitationState,
    SeasonPhase,
    WaitlistState,
)
from clerkship.outbox.models import OutboxMessage

__all__ = [
    "Booking",
    "BookingMode",
    "BookingState",
    "BookingVia",
    "DayFormat",
    "InterviewDay",
    "InterviewDraw",
    "InterviewSeason",
    "Invitation",
    "InvitationSource",
    "InvitationState",
    "Ranking",
    "SeasonPhase",
    "WaitlistEntry",
    "WaitlistState",
]


# Applicants whose rotation application is in one of these states are invited by default:
# those offered, holding or having done a rotation, never the withdrawn or not selected.
DEFAULT_INVITE_STATES = ("offered", "accepted", "completed")
DEFAULT_INVITE_STATES_JSON = '["offered", "accepted", "completed"]'


class InterviewSeason(db.Model):
    """A department's residency interview season in one cycle."""

    __tablename__ = "interview_season"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"))
    booking_mode: Mapped[BookingMode] = mapped_column(
        enum_type(BookingMode), default=BookingMode.FIRST_COME
    )
    # Fair release: invitees rank days for this long after the first invitations go out.
    ranking_hours: Mapped[int] = mapped_column(default=48)
    ranking_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Bookings can be made, cancelled or moved until this long before a day starts.
    lock_hours: Mapped[int] = mapped_column(default=48)
    # A seat offered from a waitlist is held this long for an answer.
    offer_hours: Mapped[int] = mapped_column(default=24)

    # The application states (ApplicationState values) whose applicants are invited to
    # interview; the department chooses them (clerkship.interviews.queries.INVITE_STATE_CHOICES).
    invite_states: Mapped[list[str]] = mapped_column(
        JSON,
        default=lambda: list(DEFAULT_INVITE_STATES),
        server_default=text(f"'{DEFAULT_INVITE_STATES_JSON}'"),
    )
    # When the fair-release draw ran (the draw's row, with its inputs, is loaded only to show it).
    drawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    department: Mapped[Department] = relationship(lazy="joined")
    cycle: Mapped[Cycle] = relationship(lazy="joined")
    days: Mapped[list[InterviewDay]] = relationship(
        back_populates="season", order_by="InterviewDay.starts_at"
    )
    draw: Mapped[InterviewDraw | None] = relationship(back_populates="season")

    __table_args__ = (
        UniqueConstraint("department_id", "cycle_id"),
        CheckConstraint("ranking_hours BETWEEN 1 AND 336", name="ranking_hours_range"),
        CheckConstraint("lock_hours BETWEEN 0 AND 336", name="lock_hours_range"),
        CheckConstraint("offer_hours BETWEEN 1 AND 168", name="offer_hours_range"),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def phase(self) -> SeasonPhase:
        if self.booking_mode is BookingMode.FIRST_COME or self.drawn_at is not None:
            return SeasonPhase.OPEN
        if self.ranking_closes_at is None:
            return SeasonPhase.SETUP
        if utcnow() < self.ranking_closes_at:
            return SeasonPhase.RANKING
        return SeasonPhase.AWAITING_DRAW


class InterviewDay(db.Model):
    """One interview day: when, where, how many seats, and whether it is reserved."""

    __tablename__ = "interview_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("interview_season.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    format: Mapped[DayFormat] = mapped_column(enum_type(DayFormat), default=DayFormat.IN_PERSON)
    location: Mapped[str] = mapped_column(String(300), default="")
    # Shown only to the invitees booked on the day (and to staff).
    meeting_link: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int]
    # Bookings plus seats held for waitlist offers; changed only under the season lock.
    taken: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)

    season: Mapped[InterviewSeason] = relationship(back_populates="days")

    __table_args__ = (
        UniqueConstraint("season_id", "starts_at"),
        # The target of the bookings' composite foreign key (id, reserved).
        UniqueConstraint("id", "reserved"),
        CheckConstraint("starts_at < ends_at", name="starts_before_ends"),
        CheckConstraint("capacity BETWEEN 0 AND 500", name="capacity_range"),
        CheckConstraint("taken >= 0 AND taken <= capacity", name="taken_within_capacity"),
        CheckConstraint(
            "(format = 'in_person' AND location <> '') OR (format = 'virtual' AND meeting_link <> '')",
            name="format_details",
        ),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def room(self) -> int:
        return max(0, self.capacity - self.taken)

    @property
    def lock_at(self) -> datetime:
        """After this moment the day's bookings can no longer be made, cancelled or moved."""
        return self.starts_at - timedelta(hours=self.season.lock_hours)

    @property
    def is_locked(self) -> bool:
        return utcnow() >= self.lock_at

    @property
    def label(self) -> str:
        start, end = to_local(self.starts_at), to_local(self.ends_at)
        return f"{start:%a, %b %-d, %Y}, {start:%-I:%M %p}–{end:%-I:%M %p %Z}"

    @property
    def short_label(self) -> str:
        return f"{to_local(self.starts_at):%A, %B %-d}"

    @property
    def where(self) -> str:
        return self.location if self.format is DayFormat.IN_PERSON else "Virtual"


class Invitation(db.Model):
    """An invitation of one person to one season, with its reply deadline."""

    __tablename__ = "interview_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("interview_season.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    source: Mapped[InvitationSource] = mapped_column(enum_type(InvitationSource))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"))
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    aamc_id: Mapped[str | None] = mapped_column(String(8))
    # The pathway flag of an imported invitee, as the list said.
    imported_pathway: Mapped[bool | None]
    state: Mapped[InvitationState] = mapped_column(
        enum_type(InvitationState), default=InvitationState.INVITED
    )
    reply_by: Mapped[datetime] = mapped_column(UTCDateTime())
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # SEQUENCE of the invitee's calendar event, raised at every change (RFC 5545).
    calendar_sequence: Mapped[int] = mapped_column(default=0)
    # The invitation email: the time to reply counts from its delivery (notify.py).
    notice_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"), index=True
    )

    # The season comes with the invitation; the other records are loaded on access, as
    # deep joined chains cost more to build than the one query they save.
    season: Mapped[InterviewSeason] = relationship(lazy="joined")
    student: Mapped[User] = relationship(foreign_keys=[student_id])
    notice: Mapped[OutboxMessage | None] = relationship()
    application: Mapped[Application | None] = relationship()

    __table_args__ = (
        UniqueConstraint("season_id", "student_id"),
        CheckConstraint(
            "(source = 'application') = (application_id IS NOT NULL)", name="application_source"
        ),
        CheckConstraint(
            "(source = 'import') = (imported_pathway IS NOT NULL)", name="imported_pathway_source"
        ),
    )

    @property
    def in_pathway(self) -> bool:
        """Live from the application (a director's withdrawal counts at once), else the list's."""
        if self.application is not None:
            return self.application.in_pathway
        return bool(self.imported_pathway)

    @property
    def is_expired(self) -> bool:
        return self.state is InvitationState.INVITED and utcnow() > self.reply_by

    @property
    def is_active(self) -> bool:
        """Whether the invitee can still book, rank or wait for a day."""
        return (
            self.state in (InvitationState.INVITED, InvitationState.ACCEPTED)
            and not self.is_expired
        )

    @property
    def status_label(self) -> str:
        if self.state is InvitationState.WITHDRAWN:
            return "Withdrawn by the department"
        if self.state is InvitationState.DECLINED:
            return "Declined"
        if self.is_expired:
            return "Expired without a reply"
        return "Accepted" if self.state is InvitationState.ACCEPTED else "Awaiting reply"


def _day_link(reserved_column: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["day_id", reserved_column],
        ["interview_day.id", "interview_day.reserved"],
        onupdate="CASCADE",
        ondelete="CASCADE",
    )


class Booking(db.Model):
    """A seat on a day; a cancelled booking is kept for the record."""

    __tablename__ = "interview_booking"

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(index=True)
    day_reserved: Mapped[bool]
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("interview_invitation.id", ondelete="CASCADE"), index=True
    )
    # The booker's pathway flag when the seat was taken.
    in_pathway: Mapped[bool]
    state: Mapped[BookingState] = mapped_column(
        enum_type(BookingState), default=BookingState.BOOKED
    )
    via: Mapped[BookingVia] = mapped_column(enum_type(BookingVia), default=BookingVia.SELF)
    booked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    day: Mapped[InterviewDay] = relationship()
    invitation: Mapped[Invitation] = relationship()

    __table_args__ = (
        _day_link("day_reserved"),
        CheckConstraint(
            "state <> 'booked' OR NOT day_reserved OR in_pathway", name="reserved_day_pathway_only"
        ),
        CheckConstraint(
            "(state = 'cancelled') = (cancelled_at IS NOT NULL)", name="cancelled_when"
        ),
        Index(
            "uq_interview_booking_active",
            "invitation_id",
            unique=True,
            sqlite_where=text("state = 'booked'"),
            postgresql_where=text("state = 'booked'"),
        ),
    )


class WaitlistEntry(db.Model):
    """A place in a day's waitlist, first come first served."""

    __tablename__ = "interview_waitlist_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(index=True)
    day_reserved: Mapped[bool]
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("interview_invitation.id", ondelete="CASCADE"), index=True
    )
    in_pathway: Mapped[bool]
    # Book at once when a seat frees up, instead of being asked.
    auto_book: Mapped[bool] = mapped_column(default=False)
    state: Mapped[WaitlistState] = mapped_column(
        enum_type(WaitlistState), default=WaitlistState.WAITING
    )
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The email offering the seat: the reply window counts from its delivery (notify.py).
    offer_notice_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"), index=True
    )
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    day: Mapped[InterviewDay] = relationship()
    invitation: Mapped[Invitation] = relationship()
    offer_notice: Mapped[OutboxMessage | None] = relationship()

    __table_args__ = (
        _day_link("day_reserved"),
        CheckConstraint(
            "state NOT IN ('waiting', 'offered') OR NOT day_reserved OR in_pathway",
            name="reserved_day_pathway_only",
        ),
        CheckConstraint(
            "state <> 'offered' OR offer_expires_at IS NOT NULL", name="offer_has_expiry"
        ),
        Index(
            "uq_interview_waitlist_entry_open",
            "day_id",
            "invitation_id",
            unique=True,
            sqlite_where=text("state IN ('waiting', 'offered')"),
            postgresql_where=text("state IN ('waiting', 'offered')"),
        ),
    )


class Ranking(db.Model):
    """A day an invitee can attend, in their order of preference (fair release)."""

    __tablename__ = "interview_ranking"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("interview_invitation.id", ondelete="CASCADE"), index=True
    )
    day_id: Mapped[int] = mapped_column(ForeignKey("interview_day.id", ondelete="CASCADE"))
    rank: Mapped[int]

    __table_args__ = (
        UniqueConstraint("invitation_id", "rank"),
        UniqueConstraint("invitation_id", "day_id"),
        CheckConstraint("rank >= 1", name="rank_positive"),
    )


class InterviewDraw(db.Model):
    """The fair-release draw of a season: its seed, its inputs and its result, for replay."""

    __tablename__ = "interview_draw"

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("interview_season.id"), unique=True)
    # A 64-bit unsigned seed does not fit a signed BIGINT: kept as its decimal digits.
    seed: Mapped[str] = mapped_column(String(20))
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ran_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # {"days": [[id, capacity, reserved]], "invitees": [[id, in_pathway, [day ids]]], "booked": {}}
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    # {"order": [invitee ids], "assignment": {invitee id: day id or null}}
    result: Mapped[dict[str, Any]] = mapped_column(JSON)

    season: Mapped[InterviewSeason] = relationship(back_populates="draw")
    ran_by: Mapped[User | None] = relationship()
