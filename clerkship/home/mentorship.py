"""Start-page panels of mentorship: the coordinator's requests to match, the student's requests.

One grouped query for the coordinator's departments and one for the student's requests,
whatever the number of requests.
"""

from __future__ import annotations

from flask import url_for

from clerkship.accounts.models import Role, User
from clerkship.cycles.models import Cycle
from clerkship.home.panels import Panel, on_day, plural
from clerkship.home.staff import departments_of
from clerkship.mentorship import queries as mentorship_queries
from clerkship.mentorship.models import RequestState


def coordinator_mentorship_panels(user: User, cycle: Cycle) -> list[Panel]:
    """For each department the user coordinates with open mentor requests: how many to match."""
    departments = departments_of(user, Role.COORDINATOR)
    counts = mentorship_queries.open_request_counts([d.id for d in departments], cycle)
    panels = []
    for department in departments:
        count = counts.get(department.id, 0)
        if not count:
            continue
        panel = Panel(f"mentorship-{department.slug}", f"{department.name}: mentorship")
        panel.add(
            f"{plural(count, 'mentor request')} to match",
            url_for("mentorship_staff.department", slug=department.slug, cycle=cycle.slug),
            detail="Students who asked for a mentor and have none yet.",
        )
        panels.append(panel)
    return panels


def student_mentorship_panel(student: User, cycle: Cycle) -> Panel | None:
    """The state of each of the student's mentor requests in the cycle (none: no panel)."""
    requests = mentorship_queries.requests_of(student, cycle)
    if not requests:
        return None
    panel = Panel("mentorship", "Mentorship")
    href = url_for("mentorship.index")
    for request in requests:
        detail = ""
        if request.state is RequestState.MATCHED and request.mentor is not None:
            detail = f"Your mentor: {request.mentor.name}."
            if request.first_meeting_on:
                detail += f" First met on {on_day(request.first_meeting_on)}."
        panel.add(f"{request.department.name}: {request.state.label.lower()}", href, detail=detail)
    return panel
