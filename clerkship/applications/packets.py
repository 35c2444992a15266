"""The summary page of the staff packet: the application as the department's staff read it.

Reviewers get theirs from the reviews feature, built from their blinded view
(reviews/reviewing/blinding.py `packet_summary`); this one is for those who may open the
whole file (permissions.can_view_application_file).
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Response, render_template

from clerkship.accounts.models import User
from clerkship.applications.models import Accreditation, Application, StudentProfile
from clerkship.core.time import format_datetime, utcnow
from clerkship.documents.models import Document
from clerkship.documents.packets import PacketSummary, build_packet, send_packet
from clerkship.documents.services import record_packet_download


def _profile_facts(profile: StudentProfile) -> list[tuple[str, str]]:
    name = f"{profile.legal_first_name} {profile.legal_last_name}".strip()
    if profile.preferred_name:
        name += f" (goes by {profile.preferred_name})"
    address = ", ".join(
        part
        for part in (
            profile.address_line1,
            profile.address_line2,
            profile.city,
            f"{profile.region} {profile.postal_code}".strip(),
            profile.country,
        )
        if part
    )
    school = profile.medical_school or "Not given"
    if profile.accreditation is not None:
        school += f" ({profile.accreditation.value})"
    facts = [
        ("Legal name", name or "Not given"),
        ("Pronouns", profile.pronouns or "Not given"),
        ("Phone", profile.phone or "Not given"),
        ("Mailing address", address or "Not given"),
        ("Medical school", school),
        (
            "Expected graduation",
            f"{profile.expected_graduation:%B %Y}" if profile.expected_graduation else "Not given",
        ),
        ("AAMC ID", profile.aamc_id or "Not given"),
        (
            "USMLE",
            f"Step 1: {profile.usmle_step1.label}; "
            f"Step 2 CK: {profile.usmle_step2_ck_score or 'not taken'}",
        ),
    ]
    if profile.accreditation is Accreditation.COCA:
        facts.append(
            (
                "COMLEX-USA",
                f"Level 1: {profile.comlex_level1.label}; "
                f"Level 2-CE: {profile.comlex_level2_ce_score or 'not taken'}",
            )
        )
    return facts


def staff_summary(
    application: Application, profile: StudentProfile | None, *, show_pathway: bool
) -> PacketSummary:
    """The summary for staff: the whole profile, the state, and the pathway flag if they see it."""
    name = profile.display_name if profile else application.student.full_name
    facts = [("Email", application.student.email)]
    facts += _profile_facts(profile) if profile else [("Profile", "Not saved")]
    status = application.state.label
    if application.submitted_at is not None:
        status += f"; submitted {format_datetime(application.submitted_at)}"
    facts.append(("Status", status))
    if show_pathway:
        facts.append(("UIM pathway", "Yes" if application.in_pathway else "No"))
    return PacketSummary(
        title=name,
        context=f"Application to {application.department.name}, {application.cycle.name}",
        facts=tuple(facts),
        choices=tuple(choice.block.label for choice in application.choices),
        statement=application.personal_statement or "",
    )


def packet_download(
    summary: PacketSummary,
    documents: Sequence[Document],
    *,
    student: User,
    by: User,
    target,
    context: str,
    name: tuple[str, ...],
) -> Response:
    """A packet (the staff's or a reviewer's) as a download: the summary page drawn from our
    template, the documents after it; each download audited with the documents it held."""
    pdf = build_packet(
        documents,
        lambda parts: render_template(
            "applications/packet.html",
            summary=summary,
            parts=parts,
            prepared_for=by.full_name,
            prepared_at=utcnow(),
        ),
        title=summary.title,
    )
    record_packet_download(
        student, by=by, target=target, documents=list(documents), context=context
    )
    return send_packet(pdf, *name)
