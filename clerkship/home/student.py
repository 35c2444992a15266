"""A student's start page: offers and invitations to answer, documents and letters, what comes next."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import url_for

from clerkship.accounts.models import User
from clerkship.allocation import queries as allocation_queries
from clerkship.applications import queries as application_queries
from clerkship.applications.checklist import required_kinds
from clerkship.applications.models import Application, ApplicationState
from clerkship.cycles.models import Cycle
from clerkship.documents.queries import current_documents
from clerkship.home.panels import Item, Panel, by, due_soon, on_day, plural
from clerkship.interviews import queries as interview_queries
from clerkship.letters.models import LetterState
from clerkship.letters.queries import letter_requests
from clerkship.offers import queries as offer_queries
from clerkship.rosters.compliance import items_for
from clerkship.rotations import queries as rotation_queries
from clerkship.surveys import queries as survey_queries

# A document expiring within this many days is worth a reminder even with no block in sight.
EXPIRY_NOTICE_DAYS = 30


def student_panels(student: User, cycle: Cycle | None, now: datetime, today: date) -> list[Panel]:
    """The student's panels: answer these, documents and letters, and what happens next."""
    answer = Panel(
        "answer", "To answer", empty="No offer or invitation is waiting for your answer."
    )
    for offer in offer_queries.pending_offers_for(student):
        answer.add(
            f"Offer from {offer.application.department.name}: {offer.placement.block.label}",
            url_for("offers.show", offer_id=offer.id),
            detail=f"Accept or decline {by(offer.expires_at, now)}.",
            flag=due_soon(offer.expires_at, now),
        )
    for entry in interview_queries.seats_held_for(student, now):
        answer.add(
            f"A seat freed up on {entry.day.label}: it is held for you",
            url_for("interviews.show", invitation_id=entry.invitation_id),
            detail=f"Take it {by(entry.offer_expires_at, now)}.",
            flag=due_soon(entry.offer_expires_at, now),
        )
    for invitation in interview_queries.invitations_awaiting_reply(student, now):
        answer.add(
            f"Residency interview invitation from {invitation.season.department.name}",
            url_for("interviews.show", invitation_id=invitation.id),
            detail=f"Choose a day or decline {by(invitation.reply_by, now)}.",
            flag=due_soon(invitation.reply_by, now),
        )
    for record in survey_queries.surveys_awaiting(student):
        answer.add(
            f"Tell us about your rotation in {record.placement.application.department.name}",
            url_for("surveys.answer", record_id=record.id),
            detail=f"{record.placement.block.label}: a few questions; the department sees the "
            "answers only in aggregate, never with your name.",
        )
    panels = [answer]
    if cycle is None:
        return panels
    applications = application_queries.student_applications_in(student, cycle)
    placements = allocation_queries.held_placements_of(student, cycle)
    panels.append(_documents(student, cycle, applications, placements, today))
    next_steps = _next_steps(applications, placements, cycle, today)
    for booking in interview_queries.upcoming_bookings(student, now):
        next_steps.add(
            f"Your residency interview with {booking.invitation.season.department.name}",
            url_for("interviews.show", invitation_id=booking.invitation_id),
            detail=f"{booking.day.label}, {booking.day.where}.",
        )
    panels.append(next_steps)
    return panels


def _documents(student, cycle, applications, placements, today) -> Panel:
    panel = Panel(
        "documents",
        "Documents and letters",
        empty="Every document your applications and rotations need is in.",
        links=[Item("Your documents", url_for("documents.index"))],
    )
    held = current_documents(student, cycle)
    named: set = set()
    for placement in placements:
        department = placement.application.department
        block = placement.block
        for item in items_for(required_kinds(department), held, block):
            if item.status.student_must_act:
                named.add(item.kind)
                panel.add(
                    f"{item.kind.label}: {item.status.label.lower()}",
                    url_for("documents.index"),
                    detail=f"Needed for {department.name}, {block.label}; "
                    f"it must be valid from {on_day(block.starts_on)} to {on_day(block.ends_on)}.",
                    flag="Needed soon" if block.starts_on - today <= timedelta(days=30) else "",
                )
    for application in applications:
        if application.state is not ApplicationState.DRAFT:
            continue
        missing = [k for k in required_kinds(application.department) if k not in held]
        if missing:
            panel.add(
                f"Your {application.department.name} application needs: "
                + ", ".join(k.label for k in missing),
                url_for("applications.documents", application_id=application.id),
                detail=f"Upload them before the deadline, {on_day(cycle.application_deadline)}.",
            )
    soon = today + timedelta(days=EXPIRY_NOTICE_DAYS)
    for kind, document in held.items():
        if kind in named or document.expires_on is None or document.expires_on > soon:
            continue
        expired = document.expires_on < today
        panel.add(
            f"{kind.label} {'expired' if expired else 'expires'} on {on_day(document.expires_on)}",
            url_for("documents.index"),
            detail="Upload a current one.",
            flag="Expired" if expired else "Expiring",
        )
    waiting = [r for r in letter_requests(student, cycle) if r.state is LetterState.REQUESTED]
    if waiting and applications:
        names = ", ".join(r.writer_name for r in waiting[:3])
        more = f" and {len(waiting) - 3} more" if len(waiting) > 3 else ""
        draft = next((a for a in applications if a.is_editable), None)
        panel.add(
            f"{plural(len(waiting), 'letter')} not yet received: {names}{more}",
            url_for("applications.letters", application_id=draft.id)
            if draft
            else url_for("applications.status", application_id=applications[0].id),
            detail="You can send a writer the link again from there.",
        )
    return panel


def _next_steps(applications: list[Application], placements, cycle: Cycle, today: date) -> Panel:
    panel = Panel(
        "next",
        "What happens next",
        empty="You have no application this season yet.",
        links=[
            Item("Your applications", url_for("applications.index")),
        ],
    )
    starts = {p.application_id: p for p in placements}
    first_days = rotation_queries.first_day_infos(sorted({p.block.rotation_id for p in placements}))
    for application in applications:
        name = application.department.name
        status = url_for("applications.status", application_id=application.id)
        state = application.state
        if state is ApplicationState.DRAFT:
            panel.add(
                f"Finish and submit your {name} application",
                status,
                detail=f"The deadline is {on_day(cycle.application_deadline)}.",
                flag="Due soon" if cycle.application_deadline - today <= timedelta(days=2) else "",
            )
        elif state in (ApplicationState.SUBMITTED, ApplicationState.UNDER_REVIEW):
            when = (
                f"offers are released from {on_day(cycle.offers_released_on)}"
                if cycle.offers_released_on >= today
                else "offers are being made now"
            )
            panel.add(
                f"{name} is reviewing your application",
                status,
                detail=f"Next: the department decides; {when}. We email you when you have an offer.",
            )
        elif state is ApplicationState.WAITLISTED:
            panel.add(
                f"You are on the {name} waitlist",
                status,
                detail="Next: when a seat in a block you ranked frees up, it is offered to you "
                "by email, with a deadline to answer.",
            )
        elif state is ApplicationState.ACCEPTED and application.id in starts:
            placement = starts[application.id]
            panel.add(
                f"Your {name} rotation starts on {on_day(placement.block.starts_on)}",
                status,
                detail=f"{placement.block.label}. Keep your onboarding documents valid to "
                f"{on_day(placement.block.ends_on)}.",
            )
            info = first_days.get(placement.block.rotation_id)
            if info and rotation_queries.shows_first_day(info, placement.block, today):
                panel.add(
                    f"Your first day in {name}: where to go and whom to ask",
                    flag="Starts soon"
                    if timedelta(0) <= placement.block.starts_on - today <= timedelta(days=7)
                    else "",
                    detail=_first_day_text(info),
                )
    return panel


def _first_day_text(info) -> str:
    """The coordinator's first-day information as one line of the panel."""
    parts = []
    if info.where_to_go:
        parts.append(f"Where to go: {info.where_to_go}")
    if info.whom_to_ask:
        parts.append(f"Whom to ask: {info.whom_to_ask}")
    return " ".join(part.rstrip(".") + "." for part in parts)
