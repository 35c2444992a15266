"""The Diversity in Medicine Visiting Clerkship Award: settings, applications, decisions, budget."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feature's blueprints and template predicates, and its review subjects."""
    from clerkship.awards import (
        committee_views,
        department_views,
        permissions,
        settings_views,
        views,
    )
    from clerkship.awards.review_subjects import AwardReviewSubjects
    from clerkship.core.templating import register_predicates
    from clerkship.reviews.subjects import register_award_subjects

    app.register_blueprint(views.bp)
    app.register_blueprint(committee_views.bp)
    app.register_blueprint(settings_views.bp)
    app.register_blueprint(department_views.bp)
    register_predicates(app, permissions)
    register_award_subjects(app, AwardReviewSubjects())
