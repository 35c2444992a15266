"""A department's workspace: its pages grouped in the order of the season, and what needs attention.

The navigation every department page shows is built here, from each feature's permission
predicates, so a link appears only where the server lets the viewer through. A section is
current when the page shown belongs to it: by endpoint, or by the blueprint of its pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import request, url_for

from clerkship.accounts.models import Role, User
from clerkship.allocation.permissions import can_run_allocation
from clerkship.applications.permissions import (
    can_change_application_settings,
    can_see_pathway_flag,
    can_view_applications,
)
from clerkship.awards.permissions import can_complete_rotations
from clerkship.communications.permissions import can_write_to_students
from clerkship.core.time import local_today, utcnow
from clerkship.cycles.models import Cycle, Department
from clerkship.cycles.permissions import can_manage_department, can_view_department
from clerkship.evaluations.permissions import can_view_evaluations
from clerkship.home.director import department_panels
from clerkship.home.panels import Panel
from clerkship.home.staff import onboarding_panels
from clerkship.interviews.permissions import can_view_interviews
from clerkship.mentorship.permissions import can_manage_mentorship
from clerkship.offers.permissions import can_view_offers
from clerkship.outcomes.permissions import can_read_department_outcomes
from clerkship.rosters.permissions import can_export_rosters
from clerkship.rotations.permissions import can_record_rotations
from clerkship.surveys.permissions import can_view_survey_results

Predicate = Callable[[User, Department], bool]


@dataclass(frozen=True)
class Entry:
    """A page of the workspace: its label, endpoint, who may open it, and the other
    endpoints (or "blueprint." prefixes) that belong to it."""

    label: str
    endpoint: str
    allowed: Predicate
    also: tuple[str, ...] = ()

    def holds(self, endpoint: str) -> bool:
        return endpoint == self.endpoint or any(
            endpoint == other or (other.endswith(".") and endpoint.startswith(other))
            for other in self.also
        )


# The season, in order. Each feature's pages sit in one section.
SECTIONS: tuple[tuple[str, tuple[Entry, ...]], ...] = (
    ("To do", (Entry("To do", "home.department", can_view_department),)),
    (
        "Department set-up",
        (
            Entry(
                "Rotations and blocks",
                "cycles.department",
                can_view_department,
                ("cycles.edit_rotation", "cycles.edit_block"),
            ),
            Entry(
                "Application settings",
                "staff_applications.settings",
                can_change_application_settings,
            ),
            Entry(
                "Message templates",
                "communications.templates",
                can_write_to_students,
                ("communications.edit_template", "communications.edit_automatic"),
            ),
        ),
    ),
    (
        "Applications",
        (
            Entry(
                "Applications",
                "staff_applications.index",
                can_view_applications,
                ("staff_applications.show", "pathway.flag"),
            ),
            Entry("UIM pathway", "pathway.department_list", can_see_pathway_flag),
            Entry(
                "Messages",
                "communications.sent",
                can_write_to_students,
                ("communications.compose",),
            ),
        ),
    ),
    (
        "Reviews",
        (
            # The round's own tabs (overview, rubric, ranking, reliability) lead further.
            Entry(
                "Reviews",
                "review_setup.overview",
                can_manage_department,
                ("review_setup.", "review_ranking."),
            ),
        ),
    ),
    (
        "Allocation and offers",
        (
            Entry("Allocation", "allocation.index", can_run_allocation, ("allocation.",)),
            Entry("Offers and waitlist", "offers.department", can_view_offers, ("offers.",)),
        ),
    ),
    (
        "Interviews",
        (
            Entry(
                "Interview days",
                "interview_staff.index",
                can_view_interviews,
                ("interview_staff.", "interview_invitations.", "interview_exports."),
            ),
        ),
    ),
    (
        "Onboarding and rosters",
        (
            Entry(
                "Onboarding",
                "onboarding.index",
                can_export_rosters,
                ("staff_applications.compliance", "onboarding."),
            ),
            Entry("Rosters", "rosters.roster", can_export_rosters, ("rosters.",)),
        ),
    ),
    (
        "Rotations",
        (
            Entry(
                "Arrivals and completion",
                "rotations.index",
                can_record_rotations,
                ("rotations.",),
            ),
            Entry("Evaluations", "evaluations.index", can_view_evaluations, ("evaluations.",)),
            Entry("Award recipients", "award_departments.index", can_complete_rotations),
            Entry(
                "Mentorship",
                "mentorship_staff.department",
                can_manage_mentorship,
                ("mentorship_staff.",),
            ),
            Entry(
                "Rotation surveys",
                "surveys.results",
                can_view_survey_results,
                ("surveys.results", "surveys.questions"),
            ),
        ),
    ),
    (
        "Reports",
        (
            Entry("Dashboard", "dashboards.department", can_export_rosters),
            Entry(
                "Outcomes",
                "outcomes.department_report",
                can_read_department_outcomes,
                also=("outcomes.import_list", "outcomes.confirm_list"),
            ),
        ),
    ),
)


@dataclass(frozen=True)
class Link:
    """A page of a section; current when the page shown is it (exact) or belongs to it."""

    label: str
    href: str
    current: bool
    exact: bool = False


@dataclass(frozen=True)
class Section:
    """A group of pages the viewer may open; href is its first page."""

    label: str
    pages: list[Link]
    current: bool

    @property
    def href(self) -> str:
        return self.pages[0].href


def department_sections(user: User, department: Department) -> list[Section]:
    """The workspace's sections the viewer may open, the current one marked."""
    endpoint = request.endpoint or ""
    sections = []
    for label, entries in SECTIONS:
        pages = [
            Link(
                entry.label,
                url_for(entry.endpoint, slug=department.slug),
                entry.holds(endpoint),
                endpoint == entry.endpoint,
            )
            for entry in entries
            if entry.allowed(user, department)
        ]
        if pages:
            sections.append(Section(label, pages, any(p.current for p in pages)))
    return sections


def attention_panels(user: User, department: Department, cycle: Cycle) -> list[Panel]:
    """What needs attention in the department, for the roles the viewer holds there
    (an administrator sees the director's and the coordinator's)."""
    now, today = utcnow(), local_today()
    panels: list[Panel] = []
    if user.is_admin or user.has_role(Role.DIRECTOR, department):
        panels += department_panels([department], cycle, now, today)
    if user.is_admin or user.has_role(Role.COORDINATOR, department):
        panels += onboarding_panels([department], cycle, today)
    return panels
