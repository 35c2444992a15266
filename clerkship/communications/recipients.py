"""Who a selection (clerkship/core/selection.py) reaches: each list's filter run again on the
server, under the user's permissions, narrowed to the ticked rows, one recipient per student.

A source is a list staff choose students on. Each resolves (department, selection) to the
students who may receive the message, and names those who may not (refused) with the reason.
The merge values of a recipient are read here and never hold pathway status or
self-identification.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import parse_qsl

from sqlalchemy import select

from clerkship.accounts.models import User
from clerkship.allocation.models import Placement, PlacementState
from clerkship.applications import listing
from clerkship.applications import queries as application_queries
from clerkship.applications.models import (
    Application,
    ApplicationChoice,
    ApplicationState,
    StudentProfile,
)
from clerkship.applications.permissions import can_view_applications
from clerkship.core.selection import Selection
from clerkship.core.time import utcnow
from clerkship.cycles.models import Block, Cycle, Department
from clerkship.extensions import db
from clerkship.interviews import queries as interview_queries
from clerkship.interviews.invitations import queries as invitation_list
from clerkship.interviews.models import Booking, BookingState, InterviewDay, Invitation
from clerkship.interviews.permissions import can_view_interviews
from clerkship.interviews.states import InvitationState
from clerkship.offers.models import Offer, OfferState
from clerkship.rosters import queries as roster_queries
from clerkship.rosters.permissions import can_export_rosters


@dataclass
class Recipient:
    """One student a message goes to, with the values of the merge fields."""

    user_id: int
    email: str
    full_name: str
    preferred_name: str = ""
    application_id: int | None = None
    rotation: str = ""
    block_start: date | None = None
    block_end: date | None = None
    answer_by: datetime | None = None
    interview_day: str = ""
    active: bool = True


@dataclass
class Resolution:
    """What a selection comes to now: who receives, who does not and why, and the list's name."""

    title: str
    recipients: list[Recipient] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (name, reason)
    gone: int = 0  # ticked rows no longer in the list (not named: they may not be visible)
    back_url: tuple[str, dict] | None = None  # (endpoint, arguments) of the list


class SelectionRefused(Exception):
    """The user may not use this list, or the list's filter names something that is not there."""


def _cycle(selection: Selection) -> Cycle:
    slug = selection.scope.text("cycle")
    stmt = select(Cycle).order_by(Cycle.rotations_start_on.desc())
    if slug:
        stmt = select(Cycle).where(Cycle.slug == slug)
    cycle = db.session.scalars(stmt).first()
    if cycle is None:
        raise SelectionRefused("This list's cycle does not exist.")
    return cycle


def _students(app_ids: list[int]) -> list[Recipient]:
    """Recipients for applications, in this order, with their rotation, block and deadline.

    Four statements whatever their number: people, held placements, first choices, open offers.
    """
    if not app_ids:
        return []
    rows = db.session.execute(
        select(
            Application.id,
            User.id,
            User.email,
            User.full_name,
            StudentProfile.preferred_name,
            User.active,
        )
        .join(User, User.id == Application.student_id)
        .outerjoin(StudentProfile, StudentProfile.user_id == User.id)
        .where(Application.id.in_(app_ids))
    ).all()
    blocks: dict[int, Block] = {}
    held = db.session.execute(
        select(Placement.application_id, Block)
        .join(Block, Block.id == Placement.block_id)
        .where(Placement.application_id.in_(app_ids), Placement.state == PlacementState.HELD)
        .order_by(Placement.id)
    ).all()
    for application_id, block in held:
        blocks.setdefault(application_id, block)
    first = db.session.execute(
        select(ApplicationChoice.application_id, Block)
        .join(Block, Block.id == ApplicationChoice.block_id)
        .where(ApplicationChoice.application_id.in_(app_ids))
        .order_by(ApplicationChoice.rank)
    ).all()
    for application_id, block in first:
        blocks.setdefault(application_id, block)
    deadlines = dict(
        db.session.execute(
            select(Offer.application_id, Offer.expires_at).where(
                Offer.application_id.in_(app_ids), Offer.state == OfferState.PENDING
            )
        ).all()
    )
    by_id = {}
    for app_id, user_id, email, full_name, preferred, active in rows:
        block = blocks.get(app_id)
        by_id[app_id] = Recipient(
            user_id=user_id,
            email=email,
            full_name=full_name,
            preferred_name=preferred or full_name,
            application_id=app_id,
            rotation=block.rotation.title if block else "",
            block_start=block.starts_on if block else None,
            block_end=block.ends_on if block else None,
            answer_by=deadlines.get(app_id),
            active=active,
        )
    return [by_id[i] for i in app_ids if i in by_id]


def _applications(user: User, department: Department, selection: Selection) -> Resolution:
    if not can_view_applications(user, department):
        raise SelectionRefused(f"Only the staff of {department.name} see its applications.")
    # The list's own filter (the pathway filter only for those who see the flag; it never
    # enters a message).
    selected = listing.resolve_selection(user, department, selection)
    cycle, ids = selected.cycle, selected.ids
    states = dict(
        db.session.execute(
            select(Application.id, Application.state).where(Application.id.in_(ids))
        ).all()
    )
    resolution = Resolution(
        title=f"Applications to {department.name}, {cycle.name}",
        back_url=("staff_applications.index", {"slug": department.slug, **_args(selection)}),
    )
    people = _students(ids)
    for person in people:
        if states.get(person.application_id) == ApplicationState.WITHDRAWN:
            resolution.refused.append((person.full_name, "withdrew the application"))
        else:
            resolution.recipients.append(person)
    resolution.gone = selected.gone
    return resolution


def _roster(user: User, department: Department, selection: Selection) -> Resolution:
    if not can_export_rosters(user, department):
        raise SelectionRefused(f"Only the staff of {department.name} see its rosters.")
    cycle = _cycle(selection)
    scope = selection.scope
    block = scope.choice(
        "block", [str(b.id) for b in roster_queries.roster_blocks(department, cycle)]
    )
    site = scope.choice("site", [str(s.id) for s in roster_queries.roster_sites(department)])
    inner = roster_queries.roster_statement(
        department,
        cycle,
        block_id=int(block) if block else None,
        site_id=int(site) if site else None,
    ).subquery()
    # The roster's second column is the application's id: rows are ticked by application.
    app_column = inner.c[1]
    stmt = selection.narrow(select(app_column), app_column)
    ids = list(dict.fromkeys(db.session.scalars(stmt)))
    people = _students(ids)
    # The roster names the block each student is placed in: that is the rotation they hear of.
    if block:
        chosen = db.session.get(Block, int(block))
        for person in people:
            person.rotation = chosen.rotation.title
            person.block_start, person.block_end = chosen.starts_on, chosen.ends_on
    return Resolution(
        title=f"Roster of {department.name}, {cycle.name}",
        recipients=people,
        gone=0 if selection.all_matching else len(set(selection.ids) - set(ids)),
        back_url=("rosters.roster", {"slug": department.slug, **_args(selection)}),
    )


def _invitees(invitations: list[Invitation], days: dict[int, str]) -> list[Recipient]:
    users = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(User.id.in_([i.student_id for i in invitations]))
        )
    }
    profiles = application_queries.profiles_by_student(list(users))
    people = []
    for invitation in invitations:
        person = users[invitation.student_id]
        profile = profiles.get(person.id)
        people.append(
            Recipient(
                user_id=person.id,
                email=person.email,
                full_name=invitation.full_name,
                preferred_name=(profile.preferred_name if profile else "") or invitation.full_name,
                application_id=invitation.application_id,
                answer_by=invitation.reply_by
                if invitation.state == InvitationState.INVITED
                else None,
                interview_day=days.get(invitation.id, ""),
                active=person.active,
            )
        )
    return people


def _interview_day(user: User, department: Department, selection: Selection) -> Resolution:
    if not can_view_interviews(user, department):
        raise SelectionRefused(f"Only the staff of {department.name} see its interview days.")
    day_id = selection.scope.id("day")
    day = db.session.get(InterviewDay, day_id) if day_id else None
    if day is None or day.season.department_id != department.id:
        raise SelectionRefused("This interview day does not exist.")
    stmt = selection.narrow(
        select(Booking.invitation_id).where(
            Booking.day_id == day.id, Booking.state == BookingState.BOOKED
        ),
        Booking.id,
    )
    invitation_ids = list(db.session.scalars(stmt))
    invitations = list(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.id.in_(invitation_ids))
            .order_by(Invitation.full_name, Invitation.id)
        )
    )
    booked = len(invitation_ids)
    return Resolution(
        title=f"Booked on {day.label}",
        recipients=_invitees(invitations, {i.id: day.label for i in invitations}),
        gone=0 if selection.all_matching else max(len(selection.ids) - booked, 0),
        back_url=(
            "interview_staff.day",
            {"slug": department.slug, "cycle": day.season.cycle.slug, "day_id": day.id},
        ),
    )


def _invitations(user: User, department: Department, selection: Selection) -> Resolution:
    if not can_view_interviews(user, department):
        raise SelectionRefused(f"Only the staff of {department.name} see its invitations.")
    cycle = _cycle(selection)
    season = interview_queries.season_for(department, cycle)
    if season is None:
        raise SelectionRefused(f"{department.name} has no interview season in {cycle.name}.")
    # The list's own filter, run again now.
    invitations, gone = invitation_list.selected_invitations(season, selection, now=utcnow())
    bookings = interview_queries.current_bookings(invitations)
    days = {i: b.day.label for i, b in bookings.items()}
    answer = selection.scope.text("answer") or ""
    return Resolution(
        title=f"Interview invitations of {department.name}, {cycle.name}"
        + (f": {invitation_list.ANSWER_FILTERS[answer].lower()}" if answer else ""),
        recipients=_invitees(invitations, days),
        gone=gone,
        back_url=(
            "interview_invitations.invitations_list",
            {"slug": department.slug, "cycle": cycle.slug, **_args(selection, drop=("cycle",))},
        ),
    )


def _args(selection: Selection, drop: tuple[str, ...] = ()) -> dict[str, str]:
    return {k: v for k, v in parse_qsl(selection.scope_query) if k not in drop}


SOURCES: dict[str, Callable[[User, Department, Selection], Resolution]] = {
    "applications": _applications,
    "roster": _roster,
    "interview_day": _interview_day,
    "invitations": _invitations,
}


def resolve(user: User, department: Department, selection: Selection) -> Resolution:
    """The students a selection reaches now, one per student, and those refused with why."""
    resolution = SOURCES[selection.source](user, department, selection)
    seen: set[int] = set()
    unique = []
    for person in resolution.recipients:
        if person.user_id in seen:
            continue
        seen.add(person.user_id)
        if person.active:
            unique.append(person)
        else:
            resolution.refused.append((person.full_name, "the account is closed"))
    resolution.recipients = unique
    return resolution
