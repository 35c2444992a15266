"""Changes to a student's profile, the part every application reuses."""

from __future__ import annotations

from sqlalchemy import select

from clerkship.accounts.models import User
from clerkship.accounts.queries import lock_user
from clerkship.applications.models import StudentProfile
from clerkship.audit.services import record_event
from clerkship.core.rules import RuleViolation
from clerkship.extensions import db

PROFILE_FIELDS = (
    "legal_first_name",
    "legal_last_name",
    "preferred_name",
    "pronouns",
    "phone",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
    "medical_school",
    "accreditation",
    "expected_graduation",
    "aamc_id",
    "usmle_step1",
    "usmle_step2_ck_score",
    "comlex_level1",
    "comlex_level2_ce_score",
)

STALE_PROFILE = (
    "Your profile was saved from another tab or window after you opened this page. Nothing "
    "was saved here; what you typed is kept below. Save again to keep it, or reload the page "
    "to see the other version."
)


def save_profile(student: User, *, version: int | None, by: User, **values) -> StudentProfile:
    """Create or update the student's profile; a save from a stale page is refused."""
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    lock_user(student)
    profile = db.session.scalars(
        select(StudentProfile)
        .where(StudentProfile.user_id == student.id)
        .execution_options(populate_existing=True)
    ).one_or_none()
    created = profile is None
    if profile is None:
        profile = StudentProfile(user=student)
        db.session.add(profile)
    elif version != profile.version:
        raise RuleViolation(STALE_PROFILE)
    changed = []
    for name, value in values.items():
        if getattr(profile, name) != value:
            setattr(profile, name, value)
            changed.append(name)
    db.session.flush()
    if created or changed:
        # Field names only: the log should not copy personal details.
        record_event(
            "profile.create" if created else "profile.update",
            by=by,
            target=profile,
            subject=student,
            fields=changed,
        )
    return profile
