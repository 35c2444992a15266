"""Demo step: mentors in Emergency Medicine and Pediatrics, affinity groups, one open request
and one matched pair (who have met), so every mentorship page shows something."""

from __future__ import annotations

from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.applications.models import Application
from clerkship.core.time import local_today
from clerkship.extensions import db
from clerkship.mentorship import queries, services
from clerkship.mentorship.matching import suggest
from clerkship.mentorship.models import Mentor, MentorKind
from clerkship.mentorship.services import directory, privacy

GROUPS = (
    (
        "Black Medical Student and Resident Association",
        "bmsra@keck.example.edu",
        "Black students, residents and faculty across the medical center.",
    ),
    (
        "Latinx Medical Association",
        "latinx.med@keck.example.edu",
        "Latinx students, residents and faculty; Spanish-speaking clinics.",
    ),
    (
        "LGBTQ+ in Medicine",
        "lgbtq.med@keck.example.edu",
        "LGBTQ+ students, residents and faculty and their allies.",
    ),
    ("Women in Medicine", "wim@keck.example.edu", "Women in medicine and their mentors."),
    (
        "First-Generation in Medicine",
        "firstgen.med@keck.example.edu",
        "Students and physicians who were the first in their family to go to college.",
    ),
)
MENTORS = {
    "emergency-medicine": (
        (
            "Dr. Maya Robinson",
            "maya.robinson",
            MentorKind.RESIDENT,
            2,
            "ultrasound, wellness, first-generation, research",
        ),
        (
            "Dr. Carlos Mendoza",
            "carlos.mendoza",
            MentorKind.FACULTY,
            3,
            "Spanish, community health, toxicology, residency applications",
        ),
        (
            "Dr. Priya Natarajan",
            "priya.natarajan",
            MentorKind.RESIDENT,
            1,
            "women in medicine, global health, research",
        ),
    ),
    "pediatrics": (
        (
            "Dr. Jordan Lee",
            "jordan.lee",
            MentorKind.FACULTY,
            2,
            "LGBTQ+ health, adolescent medicine, research",
        ),
        (
            "Dr. Grace Adeyemi",
            "grace.adeyemi",
            MentorKind.RESIDENT,
            2,
            "NICU, Black maternal and child health, wellness",
        ),
    ),
}


def seed_mentorship(ctx) -> None:
    """Groups, mentors, Pediatrics open to every student, one matched pair and one open request."""
    if ctx.cycle is None:
        return
    admin = ctx.staff.get((Role.ADMIN, None))
    for name, email, description in GROUPS:
        directory.save_affinity_group(
            None, name=name, contact_email=email, description=description, active=True, by=admin
        )
    for slug, mentors in MENTORS.items():
        department = ctx.departments.get(slug)
        coordinator = ctx.staff.get((Role.COORDINATOR, slug))
        if department is None or coordinator is None:
            continue
        for name, local, kind, capacity, offers in mentors:
            directory.save_mentor(
                department,
                None,
                name=name,
                email=f"{local}@keck.example.edu",
                kind=kind,
                capacity=capacity,
                offers=offers,
                active=True,
                by=coordinator,
            )
    _requests(ctx, "emergency-medicine", matched=True)
    pediatrics = ctx.departments.get("pediatrics")
    coordinator = ctx.staff.get((Role.COORDINATOR, "pediatrics"))
    if pediatrics is not None and coordinator is not None:
        directory.set_open_to_all(pediatrics, True, by=coordinator)
        _requests(ctx, "pediatrics", matched=False)


def _requests(ctx, slug: str, *, matched: bool) -> None:
    """The first eligible applicant of the department asks; in a matched department, the coordinator matches."""
    department = ctx.departments.get(slug)
    coordinator = ctx.staff.get((Role.COORDINATOR, slug))
    if department is None or coordinator is None:
        return
    applications = db.session.scalars(
        select(Application)
        .where(
            Application.department_id == department.id,
            Application.cycle_id == ctx.cycle.id,
            Application.state.in_(queries.ACTIVE_STATES),
        )
        .order_by(Application.id)
    ).all()
    for application in applications:
        student = application.student
        if queries.eligible_application(student, department, ctx.cycle) is None:
            continue
        if queries.request_of(student, department, ctx.cycle) is not None:
            continue
        request = services.ask_for_mentor(
            student,
            department,
            ctx.cycle,
            interests="Research and wellness during residency; I would like advice on applications.",
            share_affinity_with_staff=matched,
            by=student,
        )
        if matched:
            groups = queries.affinity_groups(active_only=True)
            privacy.choose_affinity_groups(student, {groups[-1].id: True}, by=student)
            best = suggest(request.interests, queries.candidates(department, ctx.cycle))[0]
            mentor = db.session.get(Mentor, best.candidate.mentor_id)
            services.match_request(request, mentor, version=request.version, by=coordinator)
            services.record_first_meeting(request, local_today(), by=coordinator)
        return
