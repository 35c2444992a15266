"""Review workflow: assigning reviewers, scoring, calibration and agreement statistics."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feature's blueprints, commands and template predicates, who wrote
    which letters (for the conflict check), which redacted copies students are asked for,
    the application file's actions and reviews, and the review figures of the application list."""
    from clerkship.applications.actions import register_file_actions
    from clerkship.applications.listing import register_review_figures
    from clerkship.core.templating import register_predicates
    from clerkship.documents.queries import register_redaction_wanted
    from clerkship.letters.queries import writer_emails
    from clerkship.reviews import application_file, permissions
    from clerkship.reviews.assignment import views as assignment_views
    from clerkship.reviews.assignment.conflicts import register_letter_writers
    from clerkship.reviews.cli import reviews_cli
    from clerkship.reviews.ranking import views as ranking_views
    from clerkship.reviews.ranking.figures import list_figures
    from clerkship.reviews.reviewing import views as reviewing_views
    from clerkship.reviews.rounds import views as round_views
    from clerkship.reviews.rounds.services import redacted_kinds_wanted

    app.register_blueprint(reviewing_views.bp)
    app.register_blueprint(round_views.bp)
    app.register_blueprint(ranking_views.bp)
    app.register_blueprint(assignment_views.bp)
    app.cli.add_command(reviews_cli)
    register_predicates(app, permissions)
    register_letter_writers(app, writer_emails)
    register_redaction_wanted(app, redacted_kinds_wanted)
    register_file_actions(app, application_file.file_actions)
    app.jinja_env.globals["application_file_reviews"] = application_file.file_reviews
    register_review_figures(app, list_figures)
