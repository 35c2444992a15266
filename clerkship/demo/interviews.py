"""Demo step: Emergency Medicine's residency interview season, ten days, two of them reserved.

The season is fair release and its draw has run (with a seed from the demo's own random
generator, so the demo is the same everywhere): rankings, draw bookings, first-come
bookings after it, a waitlist, and a few invitations still awaiting a reply.
"""

from __future__ import annotations

import csv
import io
from datetime import time, timedelta

from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.core.time import local_end_of_day, local_today, utcnow
from clerkship.extensions import db
from clerkship.interviews.booking import services as booking
from clerkship.interviews.draw import services as fair_release
from clerkship.interviews.invitations import services as invitations
from clerkship.interviews.models import BookingMode, DayFormat, Invitation
from clerkship.interviews.queries import invitable_applications, offered_days
from clerkship.interviews.seasons import services
from clerkship.interviews.waitlists import services as waitlists

DEPARTMENT = "emergency-medicine"
RESERVED = (2, 6)  # the third and seventh days
VIRTUAL = (4, 8)


def seed_interviews(ctx) -> None:
    """A fair-release season for Emergency Medicine with its draw already run."""
    department = ctx.departments.get(DEPARTMENT)
    if department is None or ctx.cycle is None:
        return
    director = ctx.staff[(Role.DIRECTOR, DEPARTMENT)]
    season = services.save_season(
        None,
        department=department,
        cycle=ctx.cycle,
        booking_mode=BookingMode.FAIR_RELEASE,
        ranking_hours=48,
        lock_hours=48,
        offer_hours=24,
        by=director,
    )
    first = local_today() + timedelta(days=21)
    days = []
    for n in range(10):
        virtual = n in VIRTUAL
        days.append(
            services.save_day(
                None,
                season=season,
                held_on=first + timedelta(days=3 * n),
                starts=time(8, 0) if n % 2 == 0 else time(12, 30),
                ends=time(12, 0) if n % 2 == 0 else time(16, 30),
                format=DayFormat.VIRTUAL if virtual else DayFormat.IN_PERSON,
                location=""
                if virtual
                else "LA General Medical Center, Emergency Dept. conference room",
                meeting_link="https://meet.example.edu/em-residency-interviews" if virtual else "",
                capacity=3 if n in RESERVED else 4,
                reserved=n in RESERVED,
                by=director,
            )
        )
    reply_by = local_end_of_day(local_today() + timedelta(days=10))
    # The applicants in the states the season invites (offered, accepted, completed).
    applied = list(db.session.scalars(invitable_applications(season)))
    if applied:
        invitations.invite_applicants(season, applied, reply_by=reply_by, by=director)
    taken = {a.student_id for a in applied}
    listed = [s for s in ctx.students[:36] if s.id not in taken][:30]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "email", "AAMC ID", "pathway"])
    for n, student in enumerate(listed):
        writer.writerow(
            [student.full_name, student.email, f"{20270000 + n:08d}", "yes" if n % 3 == 0 else "no"]
        )
    invitations.import_invitees(season, out.getvalue().encode(), reply_by=reply_by, by=director)

    invited = list(
        db.session.scalars(
            select(Invitation).where(Invitation.season_id == season.id).order_by(Invitation.id)
        )
    )
    rankers, late = invited[:-6], invited[-6:]
    for invitation in rankers:
        offered = offered_days(invitation)
        picked = ctx.rng.sample(offered, min(len(offered), ctx.rng.randint(2, 4)))
        fair_release.save_ranking(
            invitation, {day.id: n for n, day in enumerate(picked, 1)}, by=invitation.student
        )
    season.ranking_closes_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    fair_release.run_draw(season, by=director, seed=ctx.rng.getrandbits(63))
    # After the draw: two late invitees book first come, first served; one waits for a full day.
    for invitation in late[:2]:
        open_days = [d for d in offered_days(invitation) if d.room > 0 and not d.reserved]
        if open_days:
            booking.book_day(invitation, open_days[0].id, by=invitation.student)
    full = next((d for d in offered_days(late[2]) if d.room == 0 and not d.reserved), None)
    if full is not None:
        waitlists.join_waitlist(late[2], full.id, auto_book=True, by=late[2].student)
    db.session.flush()
