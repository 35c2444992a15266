"""Fair release: invitees rank the days, then a seeded random serial dictatorship assigns them.

The draw itself is the pure `draw.draw_days`. Here its inputs are read from the
database, the seed is taken only once the ranking window has closed, and inputs, seed
and result are stored together, so anyone with access can replay the draw and get the
same days for the same people.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import delete, select

from clerkship.accounts.models import User
from clerkship.audit.services import record_event
from clerkship.core.rules import RuleViolation
from clerkship.core.time import format_datetime, utcnow
from clerkship.extensions import db
from clerkship.interviews.draw.engine import Day, Draw, Invitee, draw_days, new_seed
from clerkship.interviews.models import (
    Booking,
    BookingMode,
    BookingState,
    BookingVia,
    InterviewDay,
    InterviewDraw,
    InterviewSeason,
    Invitation,
    InvitationState,
    Ranking,
    SeasonPhase,
)
from clerkship.interviews.services import notify
from clerkship.interviews.services.seats import change_taken, check_active, offered_day
from clerkship.interviews.waitlists.services import lock_season


def save_ranking(invitation: Invitation, choices: Mapping[int, int], *, by: User) -> None:
    """Record the days the invitee can attend, best first (choices: day id -> choice number)."""
    season = invitation.season
    lock_season(season)
    check_active(invitation)
    if season.phase is not SeasonPhase.RANKING:
        raise RuleViolation("The ranking window is closed.")
    for day_id in choices:
        offered_day(invitation, day_id)
    if not choices:
        raise RuleViolation(
            "Rank at least one day you can attend, or decline the invitation if you cannot."
        )
    if len(set(choices.values())) != len(choices):
        raise RuleViolation("Give each day a different choice number.")
    db.session.execute(delete(Ranking).where(Ranking.invitation_id == invitation.id))
    ordered = sorted(choices, key=lambda day_id: choices[day_id])
    for rank, day_id in enumerate(ordered, start=1):
        db.session.add(Ranking(invitation_id=invitation.id, day_id=day_id, rank=rank))
    if invitation.state is InvitationState.INVITED:
        invitation.state = InvitationState.ACCEPTED
        invitation.responded_at = utcnow()
    db.session.flush()
    record_event(
        "interview.rank",
        by=by,
        target=invitation,
        subject=invitation.student,
        summary=f"{season.department.name}: ranked {len(ordered)} day(s)",
        days=ordered,
    )


def draw_inputs(season: InterviewSeason) -> dict:
    """Days (locked ones count as full), ranked invitees with their live pathway flag, seats taken."""
    days = list(
        db.session.scalars(
            select(InterviewDay)
            .where(InterviewDay.season_id == season.id)
            .order_by(InterviewDay.id)
        )
    )
    booked_people = select(Booking.invitation_id).where(Booking.state == BookingState.BOOKED)
    invitations = list(
        db.session.scalars(
            select(Invitation)
            .where(
                Invitation.season_id == season.id,
                Invitation.state == InvitationState.ACCEPTED,
                Invitation.id.not_in(booked_people),
            )
            .order_by(Invitation.id)
        )
    )
    rankings: dict[int, list[int]] = {}
    for invitation_id, day_id in db.session.execute(
        select(Ranking.invitation_id, Ranking.day_id)
        .where(Ranking.invitation_id.in_([i.id for i in invitations]))
        .order_by(Ranking.invitation_id, Ranking.rank)
    ):
        rankings.setdefault(invitation_id, []).append(day_id)
    return {
        "days": [[day.id, day.capacity, day.reserved] for day in days],
        "invitees": [[i.id, i.in_pathway, rankings[i.id]] for i in invitations if i.id in rankings],
        "booked": {
            str(day.id): day.capacity if day.is_locked else day.taken
            for day in days
            if day.taken or day.is_locked
        },
    }


def replay(inputs: dict, seed: int) -> Draw:
    """Run the pure draw on recorded inputs."""
    return draw_days(
        [Day(str(day_id), capacity, reserved) for day_id, capacity, reserved in inputs["days"]],
        [
            Invitee(str(invitee_id), in_pathway, tuple(str(d) for d in ranking))
            for invitee_id, in_pathway, ranking in inputs["invitees"]
        ],
        seed=seed,
        booked=inputs["booked"],
    )


def run_draw(season: InterviewSeason, *, by: User | None, seed: int | None = None) -> InterviewDraw:
    """Assign days by the seeded draw once ranking has closed; days with room then open."""
    lock_season(season)
    if season.booking_mode is not BookingMode.FAIR_RELEASE:
        raise RuleViolation("This season books first come, first served; it has no draw.")
    phase = season.phase
    if phase is SeasonPhase.OPEN:
        raise RuleViolation("The draw has already run.")
    if phase is SeasonPhase.SETUP:
        raise RuleViolation("Nobody is invited yet, so there is nothing to draw.")
    if phase is SeasonPhase.RANKING:
        raise RuleViolation(
            f"The ranking window is open until {format_datetime(season.ranking_closes_at)}; "
            "the draw runs after it closes."
        )
    inputs = draw_inputs(season)
    seed = new_seed() if seed is None else seed
    result = replay(inputs, seed)
    record = InterviewDraw(
        season=season,
        seed=str(seed),
        ran_by_id=by.id if by is not None else None,
        inputs=inputs,
        result={"order": list(result.order), "assignment": dict(result.assignment)},
    )
    db.session.add(record)
    season.drawn_at = record.ran_at = utcnow()
    db.session.flush()
    invitations = {
        str(i.id): i
        for i in db.session.scalars(
            select(Invitation).where(Invitation.id.in_([int(k) for k in result.assignment]))
        )
    }
    days = {str(d.id): d for d in season.days}
    per_day: dict[str, int] = {}
    for day_id in result.assignment.values():
        if day_id is not None:
            per_day[day_id] = per_day.get(day_id, 0) + 1
    for day_id, count in per_day.items():
        change_taken(days[day_id], count)
    for invitation_id in result.order:
        invitation, day_id = invitations[invitation_id], result.assignment[invitation_id]
        if day_id is None:
            notify.send_no_day_email(invitation)
            continue
        booking = Booking(
            day=days[day_id],
            invitation=invitation,
            in_pathway=invitation.in_pathway,
            via=BookingVia.DRAW,
        )
        db.session.add(booking)
        db.session.flush()
        notify.send_booking_email(booking, "booked")
    record_event(
        "interview.draw",
        by=by,
        target=record,
        summary=f"{season.department.name} fair-release draw: "
        f"{sum(per_day.values())} of {len(result.order)} ranked invitees placed",
        seed=str(seed),
    )
    return record


@dataclass(frozen=True)
class ReplayCheck:
    """A recorded draw replayed from its inputs and seed."""

    draw: InterviewDraw
    replayed: Draw

    @property
    def matches(self) -> bool:
        return (
            list(self.replayed.order) == self.draw.result["order"]
            and dict(self.replayed.assignment) == self.draw.result["assignment"]
        )


def replay_draw(record: InterviewDraw) -> ReplayCheck:
    """Run a recorded draw again from its stored inputs and seed."""
    return ReplayCheck(record, replay(record.inputs, int(record.seed)))


def run_due_draws(*, by: User | None = None) -> list[InterviewDraw]:
    """Run the draw of every fair-release season whose ranking window has closed."""
    due = db.session.scalars(
        select(InterviewSeason)
        .where(
            InterviewSeason.booking_mode == BookingMode.FAIR_RELEASE,
            InterviewSeason.ranking_closes_at <= utcnow(),
            InterviewSeason.drawn_at.is_(None),
        )
        .order_by(InterviewSeason.id)
    ).all()
    return [run_draw(season, by=by) for season in due]
