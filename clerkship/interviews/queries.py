"""Reads shared by the interview pages, exports, emails and services."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import contains_eager, selectinload

from clerkship.accounts.models import User
from clerkship.applications.models import Application, ApplicationState
from clerkship.core.time import utcnow
from clerkship.cycles.models import Cycle, Department
from clerkship.extensions import db
from clerkship.interviews.models import (
    Booking,
    BookingState,
    InterviewDay,
    InterviewSeason,
    Invitation,
    InvitationState,
    Ranking,
    WaitlistEntry,
    WaitlistState,
)

OPEN_WAITLIST = (WaitlistState.WAITING, WaitlistState.OFFERED)
# States of an application to the department a season may choose to invite (never a draft
# or a withdrawn one); each season invites the states it chose (InterviewSeason.invite_states).
INVITABLE_STATES = tuple(
    s for s in ApplicationState if s not in (ApplicationState.DRAFT, ApplicationState.WITHDRAWN)
)
INVITE_STATE_CHOICES = [(s.value, s.label) for s in INVITABLE_STATES]


def invite_states(season: InterviewSeason) -> tuple[ApplicationState, ...]:
    """The application states whose applicants the season invites (the invitable ones only)."""
    chosen = set(season.invite_states or ())
    return tuple(s for s in INVITABLE_STATES if s.value in chosen)


def season_for(department: Department, cycle: Cycle) -> InterviewSeason | None:
    """The department's interview season in cycle, if it has one."""
    return db.session.scalar(
        select(InterviewSeason).where(
            InterviewSeason.department_id == department.id, InterviewSeason.cycle_id == cycle.id
        )
    )


def may_see_day(invitation: Invitation, day: InterviewDay) -> bool:
    """A reserved day exists, for an invitee, only if they are in the pathway."""
    return day.season_id == invitation.season_id and (not day.reserved or invitation.in_pathway)


def offered_days(invitation: Invitation) -> list[InterviewDay]:
    """The days of the invitation's season that the invitee may see, soonest first."""
    stmt = select(InterviewDay).where(InterviewDay.season_id == invitation.season_id)
    if not invitation.in_pathway:
        stmt = stmt.where(InterviewDay.reserved.is_(False))
    return list(db.session.scalars(stmt.order_by(InterviewDay.starts_at, InterviewDay.id)))


def active_booking(invitation: Invitation) -> Booking | None:
    """The invitee's current booking in the season, if any."""
    return db.session.scalar(
        select(Booking).where(
            Booking.invitation_id == invitation.id, Booking.state == BookingState.BOOKED
        )
    )


def open_entries(invitation: Invitation) -> list[WaitlistEntry]:
    """The invitee's waitlist places and open offers, soonest day first."""
    return list(
        db.session.scalars(
            select(WaitlistEntry)
            .join(WaitlistEntry.day)
            .where(
                WaitlistEntry.invitation_id == invitation.id,
                WaitlistEntry.state.in_(OPEN_WAITLIST),
            )
            .order_by(InterviewDay.starts_at)
        )
    )


def waiting_entries(day: InterviewDay) -> list[WaitlistEntry]:
    """The day's waitlist in order: first come, first offered."""
    return list(
        db.session.scalars(
            select(WaitlistEntry)
            .where(WaitlistEntry.day_id == day.id, WaitlistEntry.state == WaitlistState.WAITING)
            .order_by(WaitlistEntry.joined_at, WaitlistEntry.id)
        )
    )


def waitlist(day: InterviewDay) -> list[WaitlistEntry]:
    """Everyone waiting for the day or holding an offer on it, in order."""
    return list(
        db.session.scalars(
            select(WaitlistEntry)
            .options(selectinload(WaitlistEntry.invitation).selectinload(Invitation.application))
            .where(WaitlistEntry.day_id == day.id, WaitlistEntry.state.in_(OPEN_WAITLIST))
            .order_by(WaitlistEntry.joined_at, WaitlistEntry.id)
        )
    )


def waitlist_positions(invitation: Invitation) -> dict[int, int]:
    """The invitee's place (1 = next) in each waitlist they are waiting on, by day id."""
    mine = select(WaitlistEntry.day_id, WaitlistEntry.joined_at, WaitlistEntry.id).where(
        WaitlistEntry.invitation_id == invitation.id,
        WaitlistEntry.state == WaitlistState.WAITING,
    )
    positions = {}
    for day_id, joined_at, entry_id in db.session.execute(mine):
        ahead = db.session.scalar(
            select(func.count(WaitlistEntry.id)).where(
                WaitlistEntry.day_id == day_id,
                WaitlistEntry.state == WaitlistState.WAITING,
                (WaitlistEntry.joined_at < joined_at)
                | ((WaitlistEntry.joined_at == joined_at) & (WaitlistEntry.id < entry_id)),
            )
        )
        positions[day_id] = ahead + 1
    return positions


def ranking_of(invitation: Invitation) -> dict[int, int]:
    """The invitee's fair-release ranking: day id -> rank (1 = best)."""
    rows = db.session.execute(
        select(Ranking.day_id, Ranking.rank).where(Ranking.invitation_id == invitation.id)
    )
    return {day_id: rank for day_id, rank in rows}


def invitations_of(user: User) -> list[Invitation]:
    """A person's interview invitations, newest first."""
    return list(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.student_id == user.id)
            .order_by(Invitation.invited_at.desc(), Invitation.id.desc())
        )
    )


def bookings_of(user: User) -> list[Booking]:
    """A person's current bookings in every season, soonest first."""
    return list(
        db.session.scalars(
            select(Booking)
            .join(Booking.invitation)
            .join(Booking.day)
            .where(Invitation.student_id == user.id, Booking.state == BookingState.BOOKED)
            .order_by(InterviewDay.starts_at)
        )
    )


def pathway_flag():
    """SQL for an invitation's live pathway flag (joins Application)."""
    return case(
        (Invitation.application_id.is_not(None), Application.in_pathway),
        else_=Invitation.imported_pathway,
    )


@dataclass(frozen=True)
class DayFigures:
    """A day with its bookings, pathway bookings and waitlist length."""

    day: InterviewDay
    booked: int
    pathway: int
    waiting: int
    offered: int

    @property
    def fill_rate(self) -> float:
        return self.booked / self.day.capacity if self.day.capacity else 0.0

    @property
    def pathway_share(self) -> float | None:
        return self.pathway / self.booked if self.booked else None


def day_figures(season: InterviewSeason) -> list[DayFigures]:
    """Every day of the season with its figures, in three queries whatever the numbers."""
    days = list(
        db.session.scalars(
            select(InterviewDay)
            .where(InterviewDay.season_id == season.id)
            .order_by(InterviewDay.starts_at, InterviewDay.id)
        )
    )
    booked = db.session.execute(
        select(
            Booking.day_id,
            func.count(Booking.id),
            func.sum(case((pathway_flag().is_(True), 1), else_=0)),
        )
        .join(Booking.invitation)
        .outerjoin(Invitation.application)
        .join(InterviewDay, InterviewDay.id == Booking.day_id)
        .where(InterviewDay.season_id == season.id, Booking.state == BookingState.BOOKED)
        .group_by(Booking.day_id)
    )
    counts = {day_id: (n, int(p or 0)) for day_id, n, p in booked}
    waiting = db.session.execute(
        select(WaitlistEntry.day_id, WaitlistEntry.state, func.count(WaitlistEntry.id))
        .join(InterviewDay, InterviewDay.id == WaitlistEntry.day_id)
        .where(InterviewDay.season_id == season.id, WaitlistEntry.state.in_(OPEN_WAITLIST))
        .group_by(WaitlistEntry.day_id, WaitlistEntry.state)
    )
    lists: dict[tuple[int, WaitlistState], int] = {
        (day_id, state): n for day_id, state, n in waiting
    }
    return [
        DayFigures(
            day,
            *counts.get(day.id, (0, 0)),
            lists.get((day.id, WaitlistState.WAITING), 0),
            lists.get((day.id, WaitlistState.OFFERED), 0),
        )
        for day in days
    ]


def roster(day: InterviewDay) -> list[Booking]:
    """The day's current bookings by name."""
    return list(
        db.session.scalars(
            select(Booking)
            .join(Booking.invitation)
            .options(contains_eager(Booking.invitation).selectinload(Invitation.application))
            .where(Booking.day_id == day.id, Booking.state == BookingState.BOOKED)
            .order_by(Invitation.full_name, Booking.id)
        )
    )


def season_invitations(season: InterviewSeason, *, unanswered: bool = False) -> Select:
    """The season's invitations by name (paged by the view); unanswered: only those not
    answered yet."""
    stmt = (
        select(Invitation)
        .options(selectinload(Invitation.application))
        .where(Invitation.season_id == season.id)
        .order_by(Invitation.full_name, Invitation.id)
    )
    if unanswered:
        stmt = stmt.where(Invitation.state == InvitationState.INVITED)
    return stmt


def current_bookings(invitations: list[Invitation]) -> dict[int, Booking]:
    """The current booking of each of these invitations, by invitation id."""
    ids = [invitation.id for invitation in invitations]
    if not ids:
        return {}
    rows = db.session.scalars(
        select(Booking)
        .options(selectinload(Booking.day))
        .where(Booking.invitation_id.in_(ids), Booking.state == BookingState.BOOKED)
    )
    return {booking.invitation_id: booking for booking in rows}


def invitable_applications(
    season: InterviewSeason, states: tuple[ApplicationState, ...] | None = None
) -> Select:
    """Applications to the season's department and cycle, in the states the season invites
    (or `states`, for a preview), whose student is not yet invited, by name."""
    invited = select(Invitation.student_id).where(Invitation.season_id == season.id)
    return (
        select(Application)
        .join(Application.student)
        .where(
            Application.department_id == season.department_id,
            Application.cycle_id == season.cycle_id,
            Application.state.in_(invite_states(season) if states is None else states),
            Application.student_id.not_in(invited),
        )
        .order_by(User.full_name, Application.id)
    )


def invitation_counts(season: InterviewSeason) -> dict[str, int]:
    """How many invitations await a reply, were accepted, declined, expired unanswered, or
    were withdrawn by the department."""
    status = case(
        (Invitation.state == InvitationState.WITHDRAWN, "withdrawn"),
        (Invitation.state == InvitationState.DECLINED, "declined"),
        (Invitation.state == InvitationState.ACCEPTED, "accepted"),
        (Invitation.reply_by < utcnow(), "expired"),
        else_="invited",
    )
    rows = db.session.execute(
        select(status, func.count(Invitation.id))
        .where(Invitation.season_id == season.id)
        .group_by(status)
    )
    counts = {"invited": 0, "accepted": 0, "declined": 0, "expired": 0, "withdrawn": 0}
    return counts | dict(rows.all())


def invitations_awaiting_reply(student: User, now: datetime) -> list[Invitation]:
    """The student's invitations not yet answered whose reply deadline has not passed, soonest first."""
    return list(
        db.session.scalars(
            select(Invitation)
            .where(
                Invitation.student_id == student.id,
                Invitation.state == InvitationState.INVITED,
                Invitation.reply_by > now,
            )
            .order_by(Invitation.reply_by, Invitation.id)
        )
    )


def upcoming_bookings(student: User, now: datetime) -> list[Booking]:
    """The student's booked interview days still to come, soonest first (day and season loaded)."""
    return list(
        db.session.scalars(
            select(Booking)
            .join(Booking.invitation)
            .join(Booking.day)
            .where(
                Invitation.student_id == student.id,
                Booking.state == BookingState.BOOKED,
                InterviewDay.starts_at >= now,
            )
            .options(contains_eager(Booking.day), contains_eager(Booking.invitation))
            .order_by(InterviewDay.starts_at)
        )
    )


def seats_held_for(student: User, now: datetime) -> list[WaitlistEntry]:
    """Interview seats a waitlist holds for the student until a deadline, soonest first."""
    return list(
        db.session.scalars(
            select(WaitlistEntry)
            .join(WaitlistEntry.invitation)
            .join(WaitlistEntry.day)
            .where(
                Invitation.student_id == student.id,
                WaitlistEntry.state == WaitlistState.OFFERED,
                WaitlistEntry.offer_expires_at > now,
            )
            .options(contains_eager(WaitlistEntry.day), contains_eager(WaitlistEntry.invitation))
            .order_by(WaitlistEntry.offer_expires_at)
        )
    )


@dataclass(frozen=True)
class DayFill:
    """An interview day to come and how full it is."""

    day: InterviewDay
    department_id: int
    waiting: int

    @property
    def full(self) -> bool:
        return self.day.taken >= self.day.capacity


def upcoming_days(department_ids: Collection[int], cycle: Cycle, now: datetime) -> list[DayFill]:
    """The departments' interview days still to come in cycle with their waitlists (two queries)."""
    if not department_ids:
        return []
    days = list(
        db.session.scalars(
            select(InterviewDay)
            .join(InterviewDay.season)
            .where(
                InterviewSeason.department_id.in_(sorted(department_ids)),
                InterviewSeason.cycle_id == cycle.id,
                InterviewDay.starts_at >= now,
            )
            .options(contains_eager(InterviewDay.season))
            .order_by(InterviewDay.starts_at, InterviewDay.id)
        )
    )
    waiting: dict[int, int] = {}
    if days:
        waiting = dict(
            db.session.execute(
                select(WaitlistEntry.day_id, func.count(WaitlistEntry.id))
                .where(
                    WaitlistEntry.day_id.in_([d.id for d in days]),
                    WaitlistEntry.state.in_(OPEN_WAITLIST),
                )
                .group_by(WaitlistEntry.day_id)
            ).all()
        )
    return [DayFill(d, d.season.department_id, waiting.get(d.id, 0)) for d in days]
