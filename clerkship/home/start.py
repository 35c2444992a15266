"""A signed-in person's start page: the panels of every role they hold, things to do first."""

from __future__ import annotations

from clerkship.accounts.models import User
from clerkship.awards.permissions import can_decide_awards
from clerkship.core.time import local_today, utcnow
from clerkship.cycles.models import Cycle
from clerkship.home.director import director_panels
from clerkship.home.mentorship import coordinator_mentorship_panels, student_mentorship_panel
from clerkship.home.panels import Panel
from clerkship.home.staff import (
    admin_panel,
    award_panel,
    coordinator_panels,
    failed_messages_panel,
    reviewer_panel,
)
from clerkship.home.student import student_panels
from clerkship.reviews.permissions import can_use_review_queue

JOBS_NOTE = "Only failed emails are shown: the job queue keeps no record of failed jobs."


def start_panels(user: User, cycle: Cycle | None) -> list[Panel]:
    """The panels of user's start page, in the order of their roles."""
    now, today = utcnow(), local_today()
    panels: list[Panel] = []
    if user.is_student:
        panels += student_panels(user, cycle, now, today)
        mentorship = student_mentorship_panel(user, cycle) if cycle is not None else None
        if mentorship is not None:
            panels.append(mentorship)
    if can_use_review_queue(user):
        panels.append(reviewer_panel(user, today))
    if cycle is not None:
        panels += director_panels(user, cycle, now, today)
        panels += coordinator_panels(user, cycle, today)
        panels += coordinator_mentorship_panels(user, cycle)
        if can_decide_awards(user):
            panels.append(award_panel(cycle))
    if user.is_admin:
        panels.append(admin_panel(now))
    email = failed_messages_panel(user, note=JOBS_NOTE if user.is_admin else "")
    if email is not None:
        panels.append(email)
    return panels
