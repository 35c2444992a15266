"""clerkship: visiting clerkships, the Diversity in Medicine award and UIM-pathway seats."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from clerkship import config as config_module

PACKAGE_DIR = Path(__file__).resolve().parent

# Feature packages, in the order their blueprints, commands and predicates are registered.
FEATURES = (
    "home",
    "accounts",
    "audit",
    "cycles",
    "applications",
    "documents",
    "letters",
    "pathway",
    "awards",
    "allocation",
    "offers",
    "interviews",
    "reviews",
    "rosters",
    "demo",
    "bench",
)


def _resource_dir(name: str) -> str:
    """templates/ and migrations/ sit beside the package in a checkout, inside it when installed."""
    installed = PACKAGE_DIR / name
    return str(installed if installed.is_dir() else PACKAGE_DIR.parent / name)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: config -> extensions -> blueprints -> CLI -> errors."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.environ.get("CLERKSHIP_INSTANCE_PATH") or None,
        template_folder=_resource_dir("templates"),
    )
    _load_config(app, test_config)
    from clerkship.core.params import install_converters

    install_converters(app)
    _init_extensions(app)
    _register_blueprints(app)
    _connect_features(app)
    _register_cli(app)
    from clerkship.core.errors import register_error_handlers
    from clerkship.core.templating import register_templating

    register_error_handlers(app)
    register_templating(app, FEATURES)
    return app


def _load_config(app: Flask, test_config: dict | None) -> None:
    app.config.from_object(config_module.DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("CLERKSHIP")
    if test_config:
        app.config.update(test_config)
    app.config["SQLALCHEMY_DATABASE_URI"] = config_module.database_url(app)
    # Room for a file somewhat over the limit, so that documents.storage refuses it with a
    # message next to the field (and keeps what was typed) rather than a bare 413 page.
    app.config["MAX_CONTENT_LENGTH"] = 2 * app.config["MAX_UPLOAD_BYTES"] + 1024 * 1024
    if app.config["ENV_NAME"] == "production":
        # Production is served over HTTPS (directly or behind a proxy): cookies never travel in clear.
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    config_module.load_secret_key(app)
    config_module.check_production(app)


def _init_extensions(app: Flask) -> None:
    from clerkship.accounts.models import Anonymous, User
    from clerkship.core.database import configure_sqlite
    from clerkship.core.downloads import keep_download_policy
    from clerkship.extensions import (
        bootstrap,
        csrf,
        db,
        limiter,
        login_manager,
        migrate,
        talisman,
    )

    db.init_app(app)
    configure_sqlite(app)
    migrate.init_app(app, db, directory=_resource_dir("migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    bootstrap.init_app(app)
    # Registered before Talisman so that it runs after it (after_request runs in reverse).
    app.after_request(keep_download_policy)
    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config.get("SESSION_COOKIE_SECURE", False),
        strict_transport_security=app.config["FORCE_HTTPS"],
        content_security_policy={
            "default-src": "'self'",
            "img-src": ["'self'", "data:"],
            "style-src": "'self'",
            "script-src": "'self'",
            "object-src": "'none'",
            "base-uri": "'self'",
            "form-action": "'self'",
            "frame-ancestors": "'none'",
        },
        referrer_policy="same-origin",
        frame_options="DENY",
    )
    if app.config["PROXY_FIX_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_FIX_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to open that page."
    login_manager.login_message_category = "info"
    login_manager.anonymous_user = Anonymous

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        ident, _, token = user_id.partition(":")
        if not ident.isdigit():
            return None
        user = db.session.get(User, int(ident))
        if user is None or not token or user.session_token != token:
            return None
        return user


def _register_blueprints(app: Flask) -> None:
    from clerkship.accounts import admin_views as users_views
    from clerkship.accounts import views as accounts_views
    from clerkship.allocation import views as allocation_views
    from clerkship.applications import staff_views as staff_applications_views
    from clerkship.applications import views as applications_views
    from clerkship.audit import views as audit_views
    from clerkship.awards import committee_views as award_committee_views
    from clerkship.awards import department_views as award_department_views
    from clerkship.awards import settings_views as award_settings_views
    from clerkship.awards import views as awards_views
    from clerkship.cycles import admin_views as setup_views
    from clerkship.cycles import views as cycles_views
    from clerkship.documents import views as documents_views
    from clerkship.home import views as home_views
    from clerkship.interviews import export_views as interview_export_views
    from clerkship.interviews import invitation_views as interview_invitation_views
    from clerkship.interviews import staff_views as interview_staff_views
    from clerkship.interviews import views as interviews_views
    from clerkship.letters import views as letters_views
    from clerkship.offers import views as offers_views
    from clerkship.pathway import admin_views as pathway_admin_views
    from clerkship.pathway import views as pathway_views
    from clerkship.reviews import ranking_views
    from clerkship.reviews import setup_views as review_setup_views
    from clerkship.reviews import views as reviews_views

    for module in (
        home_views,
        accounts_views,
        users_views,
        audit_views,
        cycles_views,
        setup_views,
        applications_views,
        staff_applications_views,
        documents_views,
        letters_views,
        allocation_views,
        offers_views,
        interviews_views,
        interview_staff_views,
        interview_invitation_views,
        interview_export_views,
    ):
        app.register_blueprint(module.bp)
    for module in (
        pathway_views,
        pathway_admin_views,
        awards_views,
        award_committee_views,
        award_settings_views,
        award_department_views,
    ):
        app.register_blueprint(module.bp)
    for module in (reviews_views, review_setup_views, ranking_views):
        app.register_blueprint(module.bp)
    from clerkship.rosters import compliance_views, dashboard_views
    from clerkship.rosters import views as rosters_views

    for module in (rosters_views, compliance_views, dashboard_views):
        app.register_blueprint(module.bp)


def _connect_features(app: Flask) -> None:
    """Hand the reviews feature what it reads from features it does not import."""
    from clerkship.awards.review_subjects import AwardReviewSubjects
    from clerkship.letters.queries import writer_emails
    from clerkship.reviews.conflicts import register_letter_writers
    from clerkship.reviews.subjects import register_award_subjects

    register_letter_writers(app, writer_emails)
    register_award_subjects(app, AwardReviewSubjects())


def _register_cli(app: Flask) -> None:
    from clerkship.accounts.cli import users_cli
    from clerkship.allocation.cli import allocation_cli
    from clerkship.bench.cli import bench_cli
    from clerkship.demo.cli import demo_cli
    from clerkship.interviews.cli import interviews_cli
    from clerkship.offers.cli import offers_cli
    from clerkship.pathway.cli import pathway_cli
    from clerkship.reviews.cli import reviews_cli
    from clerkship.rosters.cli import rosters_cli

    for group in (
        users_cli,
        allocation_cli,
        offers_cli,
        interviews_cli,
        pathway_cli,
        reviews_cli,
        rosters_cli,
        demo_cli,
        bench_cli,
    ):
        app.cli.add_command(group)
