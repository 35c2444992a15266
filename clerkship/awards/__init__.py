"""The Diversity in Medicine Visiting Clerkship Award: settings, applications, decisions, budget."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feature's blueprints and template predicates, its review subjects
    and its applicants (for the pathway)."""
    from clerkship.awards import permissions
    from clerkship.awards.queries import is_award_applicant
    from clerkship.awards.review_subjects import AwardReviewSubjects
    from clerkship.awards.views import award_committee, award_departments, award_settings, awards
    from clerkship.core.templating import register_predicates
    from clerkship.pathway.queries import register_award_applicant
    from clerkship.reviews.subjects import register_award_subjects

    app.register_blueprint(awards.bp)
    app.register_blueprint(award_committee.bp)
    app.register_blueprint(award_settings.bp)
    app.register_blueprint(award_departments.bp)
    register_predicates(app, permissions)
    register_award_subjects(app, AwardReviewSubjects())
    register_award_applicant(app, is_award_applicant)
