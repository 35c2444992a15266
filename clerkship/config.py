"""Configuration: defaults, then instance/config.py, then CLERKSHIP_* variables, then tests."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask


class DefaultConfig:
    """Defaults for a local run; production overrides them (README, "Configuration")."""

    ENV_NAME = "development"
    SECRET_KEY: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    INSTITUTION_NAME = "Keck School of Medicine of USC"
    TIME_ZONE = "America/Los_Angeles"
    BASE_URL = "http://127.0.0.1:5000"  # every link in every email starts with it
    # Hosts the app answers to; None: any outside production, BASE_URL's host in production.
    TRUSTED_HOSTS: list[str] | None = None

    # Outgoing mail: with no MAIL_SERVER, messages are written to the log instead.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "clerkship <no-reply@clerkship.local>"
    MAIL_TIMEOUT = 10
    # The outbox (clerkship/outbox/delivery.py): a temporary failure waits BASE seconds,
    # doubling at each attempt up to MAX, and is retried without end; a worker holds a
    # batch for LEASE seconds (then another worker may take it: keep it well above
    # BATCH_SIZE x MAIL_TIMEOUT).
    OUTBOX_RETRY_BASE_SECONDS = 30
    OUTBOX_RETRY_MAX_SECONDS = 900
    OUTBOX_LEASE_SECONDS = 1800
    OUTBOX_BATCH_SIZE = 100

    # Background jobs (clerkship/jobs/): Huey on a SQLite file in the instance folder, or
    # on Redis when JOBS_REDIS_URL is set (several app servers and workers share it).
    JOBS_REDIS_URL: str | None = None
    JOBS_SQLITE_PATH: str | None = None  # default: <instance>/jobs.sqlite3
    JOBS_WORKERS = 2  # worker threads of `flask jobs worker`

    # Accounts.
    EMAIL_VERIFICATION_MAX_AGE = int(timedelta(days=2).total_seconds())
    PASSWORD_RESET_MAX_AGE = int(timedelta(hours=1).total_seconds())
    INVITATION_MAX_AGE = int(timedelta(days=7).total_seconds())
    PASSWORD_MIN_LENGTH = 12
    # argon2id cost: OWASP's 2 passes over 19 MiB, 1 lane (about 25-30 ms of one core here,
    # so 2 cores verify a class signing in at 10 a second and still serve the other pages;
    # README "Sign-in cost"). Hashes made with other parameters are rewritten with these at
    # the next sign-in.
    ARGON2_TIME_COST = 2
    ARGON2_MEMORY_COST = 19456  # KiB
    ARGON2_PARALLELISM = 1
    PASSWORD_MIN_STRENGTH = 3  # zxcvbn score, 0-4: refuses common, repetitive, patterned passwords
    # Failed sign-ins only (accounts/throttle.py): per account and client address (or known
    # device) together, and per address alone, high enough for a class on one hospital network.
    LOGIN_FAILURE_LIMIT = "10 per 15 minutes"
    LOGIN_ADDRESS_FAILURE_LIMIT = "300 per 15 minutes"
    DEVICE_COOKIE_DAYS = 365  # a browser that signed in to an account is known to it this long
    # A rate limit, not a password (for ruff and bandit).
    PASSWORD_RESET_RATE_LIMIT = "5 per hour"  # noqa: S105  # nosec B105
    REMEMBER_COOKIE_DURATION = timedelta(days=14)  # students only: staff sign in every session
    # Staff (every role but student): signed out after this long without a request, and
    # this long after signing in, whatever happens (accounts/session_limits.py).
    STAFF_IDLE_MINUTES = 30
    STAFF_SESSION_HOURS = 12
    # Roles whose holders must sign in with a second factor (TOTP, accounts/two_factor.py):
    # those that can see self-identification answers. Every other account may enrol.
    TWO_FACTOR_ROLES = ["admin", "award_committee"]
    TWO_FACTOR_ISSUER = "clerkship"  # the name authenticator apps show beside the account
    TWO_FACTOR_SIGN_IN_MINUTES = 5  # between a correct password and the code
    # Fernet keys for secrets kept encrypted in the database (core/encryption.py); the
    # first encrypts, all decrypt. Empty: one key derived from SECRET_KEY.
    DATA_ENCRYPTION_KEYS: list[str] = []
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"

    # Single sign-on for staff (accounts/sso.py): OpenID Connect, configured by the issuer's
    # address (its /.well-known/openid-configuration is read), client id and secret.
    OIDC_ISSUER: str | None = None
    OIDC_CLIENT_ID: str | None = None
    OIDC_CLIENT_SECRET: str | None = None
    OIDC_SCOPE = "openid email profile"
    OIDC_PROVIDER_LABEL = "your institution's sign-in"  # "Sign in with ..." on the sign-in page
    OIDC_TIMEOUT = 10  # seconds to wait for the provider
    # Staff (every role but student) may sign in only through the provider: their passwords
    # are refused. Students and letter writers' links are not affected.
    SSO_ONLY_FOR_STAFF = False
    # Whether a sign-in through the provider counts as two-step sign-in for TWO_FACTOR_ROLES
    # (set it when the provider itself requires multi-factor authentication); otherwise those
    # roles still give a code from their authenticator app after the provider.
    SSO_SATISFIES_TWO_FACTOR = False

    # Rate limits are kept in process memory unless a shared store is configured.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Declares that one process serves the app (one gunicorn worker, one server): only then
    # may production keep rate limits (and jobs) in process memory or on local files.
    SINGLE_PROCESS = False

    # Operations (core/observability.py, operations/): logs as text or JSON lines, each
    # record with the request id; /metrics answers only a bearer METRICS_TOKEN or a client
    # address in METRICS_ALLOWED_ADDRESSES (networks like "10.0.0.0/8" allowed); neither set:
    # 403 for everyone.
    LOG_FORMAT = "text"  # or "json"
    LOG_LEVEL = "INFO"
    METRICS_TOKEN: str | None = None
    METRICS_ALLOWED_ADDRESSES: list[str] = []
    # Readiness checks (/readyz) give up after this many seconds each.
    READINESS_TIMEOUT = 3

    # Security headers (flask-talisman); HTTPS is forced only where configured.
    FORCE_HTTPS = False
    PREFERRED_URL_SCHEME = "http"
    PROXY_FIX_HOPS = 0
    # Benchmarks only: send the number of SQL statements of each request in X-Query-Count.
    BENCH_QUERY_HEADER = False

    # Uploads.
    MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    UPLOAD_FOLDER: str | None = None  # default: <instance>/uploads
    # Where documents' files live (documents/backends.py): "local" (UPLOAD_FOLDER) or "s3",
    # a private bucket of any S3-compatible store, encrypted at rest, streamed through the app.
    STORAGE_BACKEND = "local"
    S3_BUCKET: str | None = None
    S3_PREFIX = ""  # e.g. "documents/": keys are <prefix><random name>
    S3_ENDPOINT_URL: str | None = None  # None: AWS; else the store's address
    S3_REGION: str | None = None
    S3_SERVER_SIDE_ENCRYPTION = "AES256"  # or "aws:kms"; requested on every object
    S3_TIMEOUT = 10  # seconds, to connect and to read
    LETTER_LINK_DAYS = 14  # how long a letter writer's upload link works
    PAGE_SIZE = 50
    # The dashboards count every application of a cycle: each server process keeps their
    # figures this long (seconds) before counting again; 0 counts on every view.
    DASHBOARD_CACHE_SECONDS = 300

    # Interviews: `flask interviews send-reminders` reminds invitees this long before their day.
    INTERVIEW_REMINDER_HOURS = 72
    # Self-identification answers of a closed cycle are kept this long, then purged.
    PATHWAY_RETENTION_DAYS = 365

    BOOTSTRAP_SERVE_LOCAL = True
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session


def database_url(app: Flask) -> str:
    """The SQLAlchemy URL: DATABASE_URL, else a SQLite file in the instance folder."""
    url = app.config.get("SQLALCHEMY_DATABASE_URI") or os.environ.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + str(Path(app.instance_path) / "clerkship.db")
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants a driver name.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_secret_key(app: Flask) -> None:
    """Use the configured secret; outside production generate one into instance/ once."""
    if app.config.get("SECRET_KEY"):
        return
    path = Path(app.instance_path) / "secret_key"
    if path.exists():
        app.config["SECRET_KEY"] = path.read_text().strip()
        return
    if app.config["ENV_NAME"] == "production":
        return  # check_production refuses to start
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    app.config["SECRET_KEY"] = key


def check_settings(app: Flask) -> list[str]:
    """Settings that contradict each other, in any environment."""
    config = app.config
    problems = []
    if config["STORAGE_BACKEND"] not in ("local", "s3"):
        problems.append(f"STORAGE_BACKEND is {config['STORAGE_BACKEND']!r}; use 'local' or 's3'")
    if config["STORAGE_BACKEND"] == "s3" and not config.get("S3_BUCKET"):
        problems.append("STORAGE_BACKEND is 's3' but S3_BUCKET is not set")
    oidc = [config.get(name) for name in ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET")]
    if any(oidc) and not all(oidc):
        problems.append("single sign-on needs OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET")
    if config["SSO_ONLY_FOR_STAFF"] and not config.get("OIDC_ISSUER"):
        problems.append("SSO_ONLY_FOR_STAFF is on but OIDC_ISSUER is not set")
    if config["LOG_FORMAT"] not in ("text", "json"):
        problems.append(f"LOG_FORMAT is {config['LOG_FORMAT']!r}; use 'text' or 'json'")
    return problems


def check_production(app: Flask) -> None:
    """Refuse to start a production app in debug mode, without a secret or without BASE_URL,
    or with settings that are missing or contradict each other (each problem is named)."""
    problems = check_settings(app)
    if app.config["ENV_NAME"] != "production":
        if problems:
            raise RuntimeError("clerkship refuses to start: " + "; ".join(problems))
        return
    if app.debug:
        problems.append("debug mode is on (unset FLASK_DEBUG / CLERKSHIP_DEBUG)")
    if not app.config.get("SECRET_KEY"):
        problems.append("no SECRET_KEY (set CLERKSHIP_SECRET_KEY or instance/config.py)")
    if app.config["BASE_URL"] == DefaultConfig.BASE_URL:
        # Emailed links and the trusted host are built on it.
        problems.append("BASE_URL is not set (CLERKSHIP_BASE_URL=https://clerkship.school.edu)")
    if app.config.get("BENCH_QUERY_HEADER") and not app.config["BASE_URL"].startswith(
        "http://127.0.0.1:"
    ):
        problems.append("BENCH_QUERY_HEADER is for a benchmark's server on 127.0.0.1 only")
    if not app.config["SINGLE_PROCESS"]:
        # Several processes would each count (or queue) on their own.
        if str(app.config["RATELIMIT_STORAGE_URI"]).startswith("memory://"):
            problems.append(
                "rate limits are kept in process memory (set RATELIMIT_STORAGE_URI=redis://..., "
                "or SINGLE_PROCESS=true if one process serves the app)"
            )
        if "JOBS_REDIS_URL" in app.config and not app.config["JOBS_REDIS_URL"]:
            problems.append(
                "the job queue is local to this server (set JOBS_REDIS_URL=redis://..., "
                "or SINGLE_PROCESS=true if one process serves the app)"
            )
    if problems:
        raise RuntimeError("clerkship refuses to start in production: " + "; ".join(problems))
