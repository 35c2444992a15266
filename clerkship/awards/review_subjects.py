"""Award applications as review subjects, for the award rubric (the reviews feature)."""

from __future__ import annotations

from sqlalchemy import Select, select

from clerkship.applications.models import StudentProfile
from clerkship.awards.models import AwardApplication, AwardState
from clerkship.cycles.models import Cycle
from clerkship.extensions import db
from clerkship.reviews.subjects import Subject

# Award applications the committee has not decided yet.
UNDECIDED_STATES = (AwardState.DRAFT, AwardState.SUBMITTED, AwardState.UNDER_REVIEW)

AWAITING_REVIEW = (AwardState.SUBMITTED, AwardState.UNDER_REVIEW)


class AwardReviewSubjects:
    """What award review rounds assign and show: the essay, never self-identification answers."""

    def reviewable(self, cycle: Cycle) -> dict[int, int]:
        """Award application id -> student id, for the cycle's applications awaiting review."""
        return dict(
            db.session.execute(
                select(AwardApplication.id, AwardApplication.student_id).where(
                    AwardApplication.cycle_id == cycle.id,
                    AwardApplication.state.in_(AWAITING_REVIEW),
                )
            ).all()
        )

    def subject(self, award_application_id: int) -> Subject:
        """An award application as a review subject."""
        award = db.session.get(AwardApplication, award_application_id)
        profile = db.session.scalar(
            select(StudentProfile).where(StudentProfile.user_id == award.student_id)
        )
        application = award.application
        return Subject(
            kind="award",
            id=award.id,
            student=award.student,
            cycle=award.cycle,
            department=application.department,
            profile=profile,
            statement=award.essay,
            in_pathway=True,  # every award applicant is in the pathway (docs/design.md)
            choices=tuple(choice.block for choice in application.choices),
            decided=award.state not in UNDECIDED_STATES,
        )

    def undecided(self) -> Select:
        """The ids of the award applications the committee has not decided yet."""
        return select(AwardApplication.id).where(AwardApplication.state.in_(UNDECIDED_STATES))

    def rotation_applications(self, award_application_ids: list[int]) -> dict[int, int]:
        """award application id -> id of the rotation application it goes with (one query)."""
        return dict(
            db.session.execute(
                select(AwardApplication.id, AwardApplication.application_id).where(
                    AwardApplication.id.in_(award_application_ids)
                )
            ).all()
        )
