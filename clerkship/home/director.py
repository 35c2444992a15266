"""A director's start page: one panel per department they direct.

Each section is read once for all the departments (grouped queries), then split by department.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import url_for

from clerkship.accounts.models import Role, User
from clerkship.allocation import queries as allocation_queries
from clerkship.applications import queries as application_queries
from clerkship.applications.models import ApplicationState
from clerkship.core.time import format_datetime
from clerkship.cycles.models import Cycle, Department
from clerkship.home.panels import Panel, on_day, plural
from clerkship.home.staff import SHOWN, departments_of
from clerkship.interviews import queries as interview_queries
from clerkship.offers import queries as offer_queries
from clerkship.offers.models import OfferState
from clerkship.reviews import queries as review_queries

OFFER_WARNING_HOURS = 48


def director_panels(user: User, cycle: Cycle, now: datetime, today: date) -> list[Panel]:
    """One panel per department the user directs: reviews, scores, allocation, offers, seats, interviews."""
    return department_panels(departments_of(user, Role.DIRECTOR), cycle, now, today)


def department_panels(
    departments: list[Department], cycle: Cycle, now: datetime, today: date
) -> list[Panel]:
    """The to-do panel of each department (the start page's and the department's workspace)."""
    ids = [d.id for d in departments]
    if not ids:
        return []
    backlog = review_queries.review_backlog_by_department(ids, cycle, today)
    states = application_queries.state_counts_by_department(
        ids, cycle, [ApplicationState.WAITLISTED]
    )
    runs = allocation_queries.allocation_states(ids, cycle)
    offers = offer_queries.offer_counts_by_department(
        ids, cycle, expiring_before=now + timedelta(hours=OFFER_WARNING_HOURS)
    )
    blocks = allocation_queries.block_fill(ids, cycle)
    days = interview_queries.upcoming_days(ids, cycle, now)
    panels = []
    for department in departments:
        panel = Panel(
            f"director-{department.slug}",
            f"{department.name}: to do",
            empty=f"Nothing in {department.name} needs you now.",
        )
        links = _Links(department, cycle)
        _reviews(panel, links, backlog[department.id])
        _allocation(panel, links, runs[department.id], cycle)
        _offers(panel, links, offers.get(department.id, offer_queries.OfferCounts()))
        _waitlist(panel, links, states[department.id].get(ApplicationState.WAITLISTED, 0))
        _seats(panel, links, [b for b in blocks if b.department_id == department.id])
        _interview_days(panel, links, [d for d in days if d.department_id == department.id])
        panels.append(panel)
    return panels


class _Links:
    """The department's pages, in the cycle shown."""

    def __init__(self, department: Department, cycle: Cycle) -> None:
        self.slug, self.cycle = department.slug, cycle.slug

    def __call__(self, endpoint: str, **args) -> str:
        return url_for(endpoint, slug=self.slug, cycle=self.cycle, **args)


def _reviews(panel: Panel, links: _Links, reviews: review_queries.ReviewBacklog) -> None:
    """Reviews not yet submitted (overdue flagged) and applicants without a score."""
    if reviews.due:
        late = f", {reviews.overdue} overdue" if reviews.overdue else ""
        panel.add(
            f"{plural(reviews.due, 'review')} not yet submitted{late}",
            links("review_setup.overview"),
            detail="Reviewers' progress, with reminders.",
            flag="Overdue" if reviews.overdue else "",
        )
    if reviews.unscored:
        panel.add(
            f"{plural(reviews.unscored, 'applicant')} without a score",
            links("review_ranking.ranking"),
            detail="Submitted applications no reviewer has scored yet.",
        )


def _allocation(
    panel: Panel, links: _Links, run: allocation_queries.AllocationState, cycle: Cycle
) -> None:
    """Where the allocation stands: not run, previews not published, or published when."""
    allocation = links("allocation.index")
    if run.published:
        panel.add(
            "Allocation published",
            url_for("allocation.show", run_id=run.run_id),
            detail=f"On {format_datetime(run.published_at)}.",
        )
    elif run.previews:
        panel.add(
            f"Allocation: {plural(run.previews, 'preview')} not yet published",
            allocation,
            detail=f"Offers are released from {on_day(cycle.offers_released_on)}.",
        )
    else:
        panel.add(
            "Allocation not run yet",
            allocation,
            detail=f"Offers are released from {on_day(cycle.offers_released_on)}.",
        )


def _offers(panel: Panel, links: _Links, counts: offer_queries.OfferCounts) -> None:
    """Offers awaiting an answer (those expiring soon flagged), and those answered."""
    offers_url = links("offers.department")
    if counts.pending:
        expiring = (
            f"; {counts.expiring} expiring within {OFFER_WARNING_HOURS} hours"
            if counts.expiring
            else ""
        )
        panel.add(
            f"{plural(counts.pending, 'offer')} awaiting an answer{expiring}",
            links("offers.department", state=OfferState.PENDING.value),
            flag="Expiring" if counts.expiring else "",
        )
    if counts.declined or counts.accepted or counts.expired:
        panel.add(
            f"Offers answered: {counts.accepted} accepted, {counts.declined} declined, "
            f"{counts.expired} expired",
            offers_url,
        )


def _waitlist(panel: Panel, links: _Links, waitlisted: int) -> None:
    """The waitlist's length."""
    if waitlisted:
        panel.add(
            f"{plural(waitlisted, 'student')} on the waitlist",
            links("staff_applications.index", state=ApplicationState.WAITLISTED.value),
        )


def _seats(panel: Panel, links: _Links, mine: list[allocation_queries.BlockFill]) -> None:
    """Seats unfilled in all, and in the first blocks with room."""
    open_blocks = [b for b in mine if b.unfilled]
    if mine:
        unfilled = sum(b.unfilled for b in open_blocks)
        seats = sum(b.capacity for b in mine)
        shown = "; ".join(f"{b.label}: {b.unfilled} of {b.capacity}" for b in open_blocks[:3])
        more = f"; {len(open_blocks) - 3} more blocks" if len(open_blocks) > 3 else ""
        panel.add(
            f"{unfilled} of {seats} seats unfilled in {plural(len(open_blocks), 'block')}",
            links("rosters.roster"),
            detail=f"{shown}{more}." if shown else "",
        )


def _interview_days(
    panel: Panel, links: _Links, season_days: list[interview_queries.DayFill]
) -> None:
    """The next interview days, how full each is, and its waitlist."""
    for fill in season_days[:SHOWN]:
        day = fill.day
        waiting = f", {fill.waiting} on its waitlist" if fill.waiting else ""
        panel.add(
            f"Interview day {day.short_label}: {day.taken} of {day.capacity} booked{waiting}",
            links("interview_staff.day", day_id=day.id),
            detail="Reserved for the UIM pathway." if day.reserved else "",
            flag="Full" if fill.full else "",
        )
    if len(season_days) > SHOWN:
        panel.add(
            f"{plural(len(season_days) - SHOWN, 'more interview day')}",
            links("interview_staff.season"),
        )
