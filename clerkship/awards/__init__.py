"""The Diversity in Medicine Visiting Clerkship Award: settings, applications, decisions, budget."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feature's blueprints and template predicates, its review subjects
    and its applicants (for the pathway)."""
    from clerkship.awards import (
        committee_views,
        department_views,
        permissions,
        settings_views,
        views,
    )
    from clerkship.awards.queries import is_award_applicant
    from clerkship.awards.review_subjects import AwardReviewSubjects
    from clerkship.core.templating import register_predicates
    from clerkship.pathway.queries import register_award_applicant
    from clerkship.reviews.subjects import register_award_subjects

    app.register_blueprint(views.bp)
    app.register_blueprint(committee_views.bp)
    app.register_blueprint(settings_views.bp)
    app.register_blueprint(department_views.bp)
    register_predicates(app, permissions)
    register_award_subjects(app, AwardReviewSubjects())
    register_award_applicant(app, is_award_applicant)
