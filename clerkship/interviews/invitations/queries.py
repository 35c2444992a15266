"""The department's list of interview invitations: one reading of its filter for the page,
its bulk actions and the messages written to a selection of it; the database filters, sorts
and pages, so a page costs the same at any size of season."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import selectinload

from clerkship.applications.models import Application, StudentProfile
from clerkship.core.params import Params
from clerkship.core.selection import Selection
from clerkship.extensions import db
from clerkship.interviews.models import Booking, InterviewSeason, Invitation
from clerkship.interviews.states import BookingState, InvitationState

ANSWER_FILTERS = {
    "": "Everyone invited",
    "unanswered": "Not answered yet",
    "awaiting": "Awaiting a reply, still in time",
    "expired": "Expired without a reply",
    "accepted": "Accepted",
    "declined": "Declined",
    "withdrawn": "Withdrawn by the department",
}
BOOKED_FILTERS = {"": "Booked or not", "yes": "Booked on a day", "no": "Not booked"}
SORTS = {"name": "Name", "reply_by": "Reply by", "invited": "Invited on", "status": "Status"}
# The query arguments a selection carries: the list's filter and its order.
FILTER_KEYS = ("cycle", "answer", "booked", "pathway", "q", "sort")


@dataclass(frozen=True)
class InvitationFilters:
    """What the invitation list is narrowed and ordered by (already checked)."""

    answer: str = ""
    booked: str = ""
    pathway: bool | None = None
    q: str = ""
    sort: str = "name"
    descending: bool = False


def read_filters(params: Params) -> InvitationFilters:
    """The filter and order from query arguments or a selection's scope (a 400 names a bad one)."""
    answer = params.choice("answer", [k for k in ANSWER_FILTERS if k]) or ""
    booked = params.choice("booked", [k for k in BOOKED_FILTERS if k]) or ""
    pathway = params.choice("pathway", ("yes", "no"))
    sort = params.choice("sort", [*SORTS, *(f"-{key}" for key in SORTS)], "name")
    return InvitationFilters(
        answer=answer,
        booked=booked,
        pathway=None if pathway is None else pathway == "yes",
        q=params.text("q", max_length=100) or "",
        sort=sort.lstrip("-"),
        descending=sort.startswith("-"),
    )


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def listed_invitations(
    season: InterviewSeason, filters: InvitationFilters, *, now: datetime
) -> Select:
    """Ids of the season's invitations matching filters, in the order asked, ties by id."""
    stmt = select(Invitation.id).where(Invitation.season_id == season.id)
    state = Invitation.state
    conditions = {
        "unanswered": state == InvitationState.INVITED,
        "awaiting": and_(state == InvitationState.INVITED, Invitation.reply_by >= now),
        "expired": and_(state == InvitationState.INVITED, Invitation.reply_by < now),
        "accepted": state == InvitationState.ACCEPTED,
        "declined": state == InvitationState.DECLINED,
        "withdrawn": state == InvitationState.WITHDRAWN,
    }
    if filters.answer:
        stmt = stmt.where(conditions[filters.answer])
    if filters.booked:
        booked = exists().where(
            Booking.invitation_id == Invitation.id, Booking.state == BookingState.BOOKED
        )
        stmt = stmt.where(booked if filters.booked == "yes" else ~booked)
    if filters.pathway is not None:
        # Live from the application (a director's withdrawal counts at once), else the list's.
        stmt = stmt.outerjoin(Application, Application.id == Invitation.application_id)
        flag = case(
            (Invitation.application_id.is_not(None), Application.in_pathway),
            else_=func.coalesce(Invitation.imported_pathway, False),
        )
        stmt = stmt.where(flag.is_(filters.pathway))
    if filters.q:
        pattern = _like(filters.q)
        stmt = stmt.outerjoin(StudentProfile, StudentProfile.user_id == Invitation.student_id)
        stmt = stmt.where(
            or_(
                *(
                    func.lower(column).like(pattern, escape="\\")
                    for column in (
                        Invitation.full_name,
                        Invitation.email,
                        Invitation.aamc_id,
                        StudentProfile.aamc_id,
                    )
                )
            )
        )
    status_order = case(
        (state == InvitationState.INVITED, case((Invitation.reply_by < now, 1), else_=0)),
        (state == InvitationState.ACCEPTED, 2),
        (state == InvitationState.DECLINED, 3),
        else_=4,
    )
    columns = {
        "name": [func.lower(Invitation.full_name)],
        "reply_by": [Invitation.reply_by],
        "invited": [Invitation.invited_at],
        "status": [status_order],
    }[filters.sort]
    order = [c.desc() if filters.descending else c.asc() for c in columns]
    return stmt.order_by(*order, Invitation.id)


def invitations_by_ids(ids: list[int]) -> list[Invitation]:
    """These invitations in this order, with their applications (for the pathway flag)."""
    if not ids:
        return []
    found = {
        i.id: i
        for i in db.session.scalars(
            select(Invitation)
            .options(selectinload(Invitation.application))
            .where(Invitation.id.in_(ids))
        )
    }
    return [found[i] for i in ids if i in found]


def selected_invitations(
    season: InterviewSeason, selection: Selection, *, now: datetime
) -> tuple[list[Invitation], int]:
    """The invitations a selection of the list comes to now (its filter run again, narrowed to
    the ticked rows), and how many ticked rows no longer match."""
    filters = read_filters(selection.scope)
    stmt = selection.narrow(listed_invitations(season, filters, now=now), Invitation.id)
    ids = list(db.session.scalars(stmt))
    gone = 0 if selection.all_matching else len(set(selection.ids) - set(ids))
    return invitations_by_ids(ids), gone


def invitations_of_applications(
    season: InterviewSeason, application_ids: list[int]
) -> list[Invitation]:
    """The season's invitations of these applications, in the applications' order."""
    found: dict[int, Invitation] = {}
    for start in range(0, len(application_ids), 900):
        chunk = application_ids[start : start + 900]
        for invitation in db.session.scalars(
            select(Invitation)
            .options(selectinload(Invitation.application))
            .where(Invitation.season_id == season.id, Invitation.application_id.in_(chunk))
        ):
            found[invitation.application_id] = invitation
    return [found[i] for i in application_ids if i in found]
