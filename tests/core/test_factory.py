"""create_app: configuration sources, secrets, production checks, headers, error pages."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from clerkship import create_app
from clerkship.extensions import db
from clerkship.outbox.services import queue_email
from tests.conftest import drain_outbox

SITE = "https://clerkship.school.example.edu"


def _app(tmp_path: Path, monkeypatch, **config):
    monkeypatch.setenv("CLERKSHIP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return create_app({"TESTING": True, **config})


def test_default_database_is_sqlite_in_instance_folder(tmp_path, monkeypatch):
    app = _app(tmp_path, monkeypatch)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/clerkship.db"


def test_the_collector_is_paused_while_the_app_is_built_and_resumed_after(tmp_path, monkeypatch):
    assert gc.isenabled()
    _app(tmp_path, monkeypatch)
    assert gc.isenabled()
    with pytest.raises(RuntimeError, match="refuses to start in production"):
        _app(tmp_path, monkeypatch, ENV_NAME="production")
    assert gc.isenabled()  # also when building fails
    gc.disable()
    try:
        _app(tmp_path, monkeypatch)
        assert not gc.isenabled()  # a caller's choice is left as it was
    finally:
        gc.enable()


def test_database_url_from_environment_gets_psycopg_driver(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example.org/clerkship")
    monkeypatch.setenv("CLERKSHIP_INSTANCE_PATH", str(tmp_path))
    app = create_app({"TESTING": True})
    assert (
        app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example.org/clerkship"
    )


def test_secret_key_is_generated_once_into_instance(tmp_path, monkeypatch):
    first = _app(tmp_path, monkeypatch)
    second = _app(tmp_path, monkeypatch)
    key_file = tmp_path / "secret_key"
    assert key_file.read_text() == first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 48
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_instance_config_and_prefixed_environment_are_read(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text('INSTITUTION_NAME = "From instance"\nTIME_ZONE = "UTC"\n')
    monkeypatch.setenv("CLERKSHIP_TIME_ZONE", '"America/Chicago"')
    app = _app(tmp_path, monkeypatch)
    assert app.config["INSTITUTION_NAME"] == "From instance"
    assert app.config["TIME_ZONE"] == "America/Chicago"


def test_production_refuses_to_start_without_secret(tmp_path, monkeypatch):
    with pytest.raises(RuntimeError, match="no SECRET_KEY"):
        _app(tmp_path, monkeypatch, ENV_NAME="production")
    assert not (tmp_path / "secret_key").exists()


def test_production_refuses_to_start_in_debug(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(RuntimeError, match="debug mode is on"):
        _app(tmp_path, monkeypatch, ENV_NAME="production", SECRET_KEY="x" * 40, BASE_URL=SITE)


def test_production_refuses_to_start_without_base_url(tmp_path, monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(RuntimeError, match="BASE_URL is not set"):
        _app(tmp_path, monkeypatch, ENV_NAME="production", SECRET_KEY="x" * 40)


def test_production_with_secret_starts_with_secure_cookies_and_trusted_host(tmp_path, monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = _app(
        tmp_path,
        monkeypatch,
        ENV_NAME="production",
        SECRET_KEY="x" * 40,
        BASE_URL=SITE,
        SINGLE_PROCESS=True,
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["TRUSTED_HOSTS"] == ["clerkship.school.example.edu"]


def test_security_headers(client):
    response = client.get("/catalogue")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_load_css_from_the_app_not_a_cdn(client):
    html = client.get("/").get_data(as_text=True)
    assert "/bootstrap/static/css/bootstrap.min.css" in html
    assert "cdn" not in html.lower()
    assert client.get("/bootstrap/static/css/bootstrap.min.css").status_code == 200


def test_not_found_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


@pytest.mark.fresh_app
def test_unexpected_error_renders_500_page(app, client):
    @app.route("/boom")
    def boom():
        raise RuntimeError("boom")

    boom.clerkship_access = "public"
    response = client.get("/boom")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)


def test_email_without_smtp_server_is_written_to_console(app, capsys):
    app.config["MAIL_SERVER"] = None
    with app.test_request_context():
        queue_email(
            "someone@example.org",
            "Hello",
            "password_changed",
            user=type("U", (), {"full_name": "A", "email": "someone@example.org"}),
        )
        db.session.commit()
    drain_outbox(app)
    assert "Subject: Hello" in capsys.readouterr().err


def test_email_queued_then_rolled_back_is_not_sent(app, mailbox):
    queue_email(
        "someone@example.org",
        "Hello",
        "password_changed",
        user=type("U", (), {"full_name": "A", "email": "x"}),
    )
    db.session.rollback()
    db.session.commit()
    assert mailbox.messages == []


PRODUCTION = {
    "ENV_NAME": "production",
    "SECRET_KEY": "x" * 40,
    "BASE_URL": SITE,
    "RATELIMIT_STORAGE_URI": "redis://redis.internal:6379",
    "JOBS_REDIS_URL": "redis://redis.internal:6379/1",
}


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"SSO_ONLY_FOR_STAFF": True},
            "SSO_ONLY_FOR_STAFF is on but OIDC_ISSUER is not set",
        ),
        (
            {"OIDC_ISSUER": "https://login.school.edu", "OIDC_CLIENT_ID": "clerkship"},
            "single sign-on needs OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET",
        ),
        ({"STORAGE_BACKEND": "s3"}, "STORAGE_BACKEND is 's3' but S3_BUCKET is not set"),
        ({"STORAGE_BACKEND": "nfs"}, "STORAGE_BACKEND is 'nfs'; use 'local' or 's3'"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT is 'xml'; use 'text' or 'json'"),
        (
            {"RATELIMIT_STORAGE_URI": "memory://"},
            "rate limits are kept in process memory (set RATELIMIT_STORAGE_URI=redis://..., "
            "or SINGLE_PROCESS=true if one process serves the app)",
        ),
        (
            {"JOBS_REDIS_URL": None},
            "the job queue is local to this server (set JOBS_REDIS_URL=redis://..., "
            "or SINGLE_PROCESS=true if one process serves the app)",
        ),
    ],
)
def test_production_refuses_missing_or_contradicting_settings(
    tmp_path, monkeypatch, settings, message
):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(RuntimeError) as refused:
        _app(tmp_path, monkeypatch, **{**PRODUCTION, **settings})
    assert str(refused.value) == f"clerkship refuses to start in production: {message}"


def test_production_names_every_problem_at_once(tmp_path, monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(RuntimeError) as refused:
        _app(
            tmp_path,
            monkeypatch,
            **{**PRODUCTION, "SSO_ONLY_FOR_STAFF": True, "STORAGE_BACKEND": "s3"},
        )
    assert str(refused.value) == (
        "clerkship refuses to start in production: STORAGE_BACKEND is 's3' but S3_BUCKET is "
        "not set; SSO_ONLY_FOR_STAFF is on but OIDC_ISSUER is not set"
    )


def test_a_declared_single_process_may_keep_limits_and_jobs_in_memory(tmp_path, monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = _app(
        tmp_path,
        monkeypatch,
        **{**PRODUCTION, "RATELIMIT_STORAGE_URI": "memory://", "JOBS_REDIS_URL": None},
        SINGLE_PROCESS=True,
    )
    assert app.config["ENV_NAME"] == "production"


def test_contradicting_settings_are_refused_outside_production_too(tmp_path, monkeypatch):
    with pytest.raises(RuntimeError) as refused:
        _app(tmp_path, monkeypatch, STORAGE_BACKEND="s3")
    assert str(refused.value) == (
        "clerkship refuses to start: STORAGE_BACKEND is 's3' but S3_BUCKET is not set"
    )


def test_the_defaults_need_no_service(tmp_path, monkeypatch):
    """`make run`: local files, no single sign-on, no metrics token (so /metrics is refused)."""
    app = _app(tmp_path, monkeypatch)
    assert (app.config["STORAGE_BACKEND"], app.config["OIDC_ISSUER"]) == ("local", None)
    assert app.config["METRICS_TOKEN"] is None and app.config["METRICS_ALLOWED_ADDRESSES"] == []
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
