"""clerkship: visiting clerkships, the Diversity in Medicine award and UIM-pathway seats."""

from __future__ import annotations

import gc
import importlib
import os
from pathlib import Path

from flask import Flask

from clerkship import config as config_module

PACKAGE_DIR = Path(__file__).resolve().parent

# Feature packages, in the order create_app() calls their init_app(app): each registers its
# blueprints, commands, template predicates and the hooks it hands to the features below it.
FEATURES = (
    "home",
    "operations",
    "accounts",
    "audit",
    "outbox",
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
    "rotations",
    "evaluations",
    "outbox_admin",
    "communications",
    "mentorship",
    "surveys",
    "outcomes",
    "doctor",
    "jobs",
    "demo",
    "bench",
)


def _resource_dir(name: str) -> str:
    """templates/ and migrations/ sit beside the package in a checkout, inside it when installed."""
    installed = PACKAGE_DIR / name
    return str(installed if installed.is_dir() else PACKAGE_DIR.parent / name)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: config -> extensions -> blueprints -> CLI -> errors."""
    # Building the app (importing every feature, mapping its models) makes hundreds of
    # thousands of objects that all live on: the collector's passes over them while they
    # are made were about a tenth of create_app(), and found nothing to collect.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build(test_config)
    finally:
        if collecting:
            gc.enable()


def _build(test_config: dict | None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.environ.get("CLERKSHIP_INSTANCE_PATH") or None,
        template_folder=_resource_dir("templates"),
    )
    _load_config(app, test_config)
    from clerkship.core.metrics import register_metrics
    from clerkship.core.observability import configure_logging, register_request_ids
    from clerkship.core.params import install_converters

    configure_logging(app)
    register_request_ids(app)
    register_metrics(app)

    install_converters(app)
    _init_extensions(app)
    for feature in FEATURES:
        importlib.import_module(f"clerkship.{feature}").init_app(app)
    from clerkship.core.caching import register_no_store
    from clerkship.core.errors import register_error_handlers
    from clerkship.core.memo import init_memo
    from clerkship.core.templating import register_templating

    register_error_handlers(app)
    register_no_store(app)
    register_templating(app)
    init_memo(app)
    if app.config["BENCH_QUERY_HEADER"]:
        from clerkship.core.querycount import register_query_header

        register_query_header(app)
    if not app.testing:
        # What exists now (modules, the app, its config) lives as long as the process: kept
        # out of the collector's full passes, which a request that builds thousands of
        # objects (a publication's offers) would otherwise pay for, about 0.2 s of 1 s.
        gc.freeze()
    return app


def _load_config(app: Flask, test_config: dict | None) -> None:
    from clerkship.core.hosts import trusted_hosts

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
        # Refuse requests for any other host (Host / X-Forwarded-Host are the client's word).
        if app.config.get("TRUSTED_HOSTS") is None:
            app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config["BASE_URL"])
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    config_module.load_secret_key(app)
    config_module.check_production(app)


def _init_extensions(app: Flask) -> None:
    from flask_talisman import Talisman

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
    )

    db.init_app(app)
    configure_sqlite(app)
    migrate.init_app(app, db, directory=_resource_dir("migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    bootstrap.init_app(app)
    # Registered before Talisman so that it runs after it (after_request runs in reverse).
    app.after_request(keep_download_policy)
    # One Talisman per app: it keeps its settings (force_https, HSTS, the cookie flag) on
    # itself and applies them to every app it was given, so a shared one would serve each
    # app the settings of the last app built in the process (several apps: the tests).
    talisman = Talisman()
    app.extensions["talisman"] = talisman
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
    if app.config["TRUSTED_HOSTS"]:
        from clerkship.core.hosts import TrustedHostGuard

        # Inside ProxyFix, so that it judges the host the trusted proxy forwarded.
        app.wsgi_app = TrustedHostGuard(app.wsgi_app, app.config["TRUSTED_HOSTS"])
    if app.config["PROXY_FIX_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_FIX_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to open that page."
    login_manager.login_message_category = "info"
    login_manager.anonymous_user = Anonymous
    from clerkship.accounts.session_limits import register_session_limits

    register_session_limits(app)

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        ident, _, token = user_id.partition(":")
        if not ident.isdigit():
            return None
        user = db.session.get(User, int(ident))
        if user is None or not token or user.session_token != token:
            return None
        return user
