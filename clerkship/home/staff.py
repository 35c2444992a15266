"""Staff start pages: reviewer, coordinator, award committee and administrator (director.py: director).

Every count is one grouped query over the viewer's departments, so a page runs the same
statements whatever the number of applications; each item links to where it is done, and
only departments where the viewer holds the role are read.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import url_for

from clerkship.accounts import queries as account_queries
from clerkship.accounts.models import Role, User
from clerkship.awards import queries as award_queries
from clerkship.awards.models import AwardState
from clerkship.core.time import format_datetime
from clerkship.cycles.models import Cycle, Department
from clerkship.home.panels import Item, Panel, on_day, plural
from clerkship.outbox_admin import queries as outbox_queries
from clerkship.outbox_admin.permissions import outbox_departments
from clerkship.reviews.reviewing.queries import reviewer_queue
from clerkship.rosters import queries as roster_queries
from clerkship.rosters.compliance import next_month_end

ARRIVAL_DAYS = 14
SHOWN = 5  # lists on a start page show this many, then link to the whole list


def reviewer_panel(user: User, today: date) -> Panel:
    """The reviewer's reviews to do, the overdue ones, and the next one to start."""
    panel = Panel(
        "reviews",
        "Your reviews",
        empty="No review is waiting for you.",
        links=[Item("Your review queue", url_for("reviews.queue"))],
    )
    queue = reviewer_queue(user, today=today, per_page=1)
    to_do = queue.counts["not_started"] + queue.counts["draft"]
    if queue.overdue:
        panel.add(
            f"{plural(queue.overdue, 'review')} overdue",
            url_for("reviews.queue"),
            flag="Overdue",
        )
    if to_do:
        drafts = queue.counts["draft"]
        panel.add(
            f"{plural(to_do, 'review')} to do",
            url_for("reviews.queue"),
            detail=f"{plural(drafts, 'draft')} started." if drafts else "",
        )
    nxt = queue.items[0] if queue.items else None
    if nxt is not None and nxt.status != "submitted" and nxt.round_open:
        verb = "Continue" if nxt.status == "draft" else "Start"
        # The round and the due date say enough here; the queue names the application.
        due = f", due {on_day(nxt.due_on)}" if nxt.due_on else ""
        panel.add(
            f"{verb} the next review",
            url_for("reviews.review", assignment_id=nxt.assignment_id),
            detail=f"{nxt.round_title}{due}.",
            flag="Overdue" if nxt.overdue(today) else "",
        )
    if not panel.items and user.department_ids(Role.REVIEWER):
        panel.add(
            "Keep your schools and conflicts of interest up to date",
            url_for("reviews.profile"),
            detail="Automatic assignment then never gives you an application you should not score.",
        )
    return panel


def departments_of(user: User, role: Role) -> list[Department]:
    """The departments where user holds role, by name."""
    ids = user.department_ids(role)
    by_id = {m.department_id: m.department for m in user.memberships if m.department_id in ids}
    return sorted(by_id.values(), key=lambda d: (d.name, d.id))


def coordinator_panels(user: User, cycle: Cycle, today: date) -> list[Panel]:
    """One panel per department the user coordinates: documents to verify, students not cleared, arrivals."""
    return onboarding_panels(departments_of(user, Role.COORDINATOR), cycle, today)


def onboarding_panels(departments: list[Department], cycle: Cycle, today: date) -> list[Panel]:
    """The onboarding panel of each department (the start page's and the department's workspace)."""
    ids = [d.id for d in departments]
    if not ids:
        return []
    horizon = next_month_end(today)
    to_verify = roster_queries.documents_to_verify(ids, cycle)
    coming = roster_queries.arrivals(ids, cycle, today, horizon)
    starts = roster_queries.next_starts(ids, cycle, today)
    panels = []
    for department in departments:
        slug, c = department.slug, cycle.slug
        panel = Panel(
            f"coordinator-{slug}",
            f"{department.name}: onboarding",
            empty=f"No document to verify and nobody arriving in {department.name} soon.",
        )
        count = to_verify[department.id]
        if count:
            panel.add(
                f"{plural(count, 'document')} to verify",
                url_for("onboarding.index", slug=slug, cycle=c, state="waiting"),
                detail="Uploaded by placed students and valid for their blocks.",
            )
        mine = [a for a in coming if a.department_id == department.id]
        late = [a for a in mine if not a.cleared]
        if late:
            first = min(a.starts_on for a in late)
            panel.add(
                f"{plural(len(late), 'placed student')} not cleared, in a block under way or "
                f"starting by {on_day(horizon)}",
                url_for("onboarding.index", slug=slug, cycle=c, show="next_month"),
                detail=f"The first starts on {on_day(first)}."
                if first >= today
                else "Some have already started.",
                flag="Starts soon" if first - today <= timedelta(days=ARRIVAL_DAYS) else "",
            )
        days = [s for s in starts if s.department_id == department.id][:3]
        if days:
            panel.add(
                "Next arrivals",
                url_for("rosters.roster", slug=slug, cycle=c),
                detail="; ".join(
                    f"{on_day(s.starts_on)}: {plural(s.accepted, 'student')}"
                    + (f" and {s.pending} yet to accept" if s.pending else "")
                    for s in days
                )
                + ".",
            )
        panels.append(panel)
    return panels


def failed_messages_panel(user: User, *, note: str = "") -> Panel | None:
    """Emails refused for good that the user may read and send again (their departments', or
    all); None when the user reads no outbox, or (outside administrators) nothing failed."""
    departments = outbox_departments(user)
    if departments is not None and not departments:
        return None
    failed = outbox_queries.failed_message_count(departments)
    if not failed and departments is not None:
        return None
    panel = Panel(
        "outbox",
        "Email",
        empty=f"No email failed. {note}".strip(),
        links=[Item("All emails in the outbox", url_for("outbox_admin.index"))],
    )
    if failed:
        panel.add(
            f"{plural(failed, 'email')} failed",
            url_for("outbox_admin.index", state="failed"),
            detail="The mail server refused them for good; correct the address, then send "
            f"again. {note}".strip(),
            flag="Failed",
        )
    return panel


def award_panel(cycle: Cycle) -> Panel:
    """Award applications awaiting a decision, awards needing attention, the budget left."""
    c = cycle.slug
    panel = Panel(
        "award",
        f"Diversity in Medicine award, {cycle.name}",
        empty="No award application is waiting.",
    )
    settings = award_queries.settings_for(cycle)
    if settings is None:
        panel.add(
            f"The award is not set up for {cycle.name}",
            url_for("award_settings.edit", cycle_slug=c),
            detail="Set its budget, amounts and deadline.",
        )
        return panel
    money = award_queries.budget(settings)

    def listed(state: AwardState) -> str:
        return url_for("award_committee.index", cycle_slug=c, state=state.value)

    for state, text in (
        (AwardState.SUBMITTED, "awaiting a decision, not yet under review"),
        (AwardState.UNDER_REVIEW, "under review, awaiting a decision"),
    ):
        if money.counts.get(state):
            panel.add(f"{plural(money.counts[state], 'application')} {text}", listed(state))
    attention = money.counts.get(AwardState.NEEDS_ATTENTION, 0)
    if attention:
        panel.add(
            f"{plural(attention, 'award')} needing attention",
            listed(AwardState.NEEDS_ATTENTION),
            detail="The awardee no longer holds an accepted seat: confirm or rescind.",
            flag="Needs attention",
        )
    completed = money.counts.get(AwardState.ROTATION_COMPLETED, 0)
    if completed:
        panel.add(
            f"{plural(completed, 'award')} to pay: rotation completed",
            listed(AwardState.ROTATION_COMPLETED),
        )
    panel.add(
        f"Budget left: {_dollars(money.remaining_cents)} of {_dollars(money.total_cents)}",
        url_for("award_committee.budget", cycle_slug=c),
        detail=f"{_dollars(money.committed_cents)} committed, {_dollars(money.paid_cents)} paid. "
        f"Applications close {on_day(settings.deadline)}.",
    )
    return panel


def _dollars(cents: int) -> str:
    return f"${cents / 100:,.0f}" if cents % 100 == 0 else f"${cents / 100:,.2f}"


def admin_panel(now: datetime) -> Panel:
    """Invitations not accepted and accounts not verified."""
    follow = account_queries.account_follow_ups()
    panel = Panel(
        "accounts",
        "Accounts",
        empty="Every invitation was accepted and every account confirmed.",
        links=[Item("Outcomes of the program, by cycle", url_for("outcomes.institution"))],
    )
    if follow.invitations_pending:
        panel.add(
            f"{plural(follow.invitations_pending, 'invitation')} not accepted yet",
            url_for("users.index", state="invited"),
            detail=f"The oldest was sent {format_datetime(follow.oldest_invitation)}; "
            "a user's page sends it again.",
        )
    if follow.unverified:
        panel.add(
            f"{plural(follow.unverified, 'account')} with an unconfirmed email address",
            url_for("users.index", state="unconfirmed"),
            detail="They signed up and have not opened the confirmation link yet.",
        )
    return panel
