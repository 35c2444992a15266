"""Student profiles and applications: ranked block choices, statement, documents, letters."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feature's blueprints and template predicates;
    tell documents which staff may open a student's documents; offer the packet on the file."""
    from clerkship.applications import permissions
    from clerkship.applications.actions import own_actions, register_file_actions
    from clerkship.applications.views import applications, staff_applications
    from clerkship.core.templating import register_predicates
    from clerkship.documents.permissions import register_staff_access

    app.register_blueprint(applications.bp)
    app.register_blueprint(staff_applications.bp)
    register_predicates(app, permissions)
    register_staff_access(app, permissions.can_staff_open_document)
    register_file_actions(app, own_actions)
