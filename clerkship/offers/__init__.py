"""Offers of seats, their answers and expiry, and the waitlist that refills freed seats."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feature's blueprints, commands and template predicates;
    hand allocation the offer a published placement becomes."""
    from clerkship.allocation.services import register_offer_maker
    from clerkship.core.templating import register_predicates
    from clerkship.offers import permissions, views
    from clerkship.offers.cli import offers_cli
    from clerkship.offers.services import make_offers

    app.register_blueprint(views.bp)
    app.cli.add_command(offers_cli)
    register_predicates(app, permissions)
    register_offer_maker(app, make_offers)
