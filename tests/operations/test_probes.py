"""Liveness, readiness, request ids, logs and metrics."""

from __future__ import annotations

import json
import logging

import pytest

from clerkship.accounts.models import Role
from clerkship.core.health import register_readiness_check
from clerkship.core.observability import (
    JsonLinesFormatter,
    RequestIdFilter,
    current_request_id,
    request_id_context,
)
from tests.conftest import login
from tests.factories import make_user

TOKEN = "metrics-token-for-tests-0123456789"


def test_healthz_says_the_process_is_alive(client):
    response = client.get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "alive"})


def test_readyz_checks_the_database_the_queue_and_the_store(client):
    login(client, make_user(Role.ADMIN))
    body = client.get("/readyz").get_json()
    assert body["status"] == "ready"
    assert sorted(body["checks"]) == ["database", "queue", "storage"]
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.fresh_app
def test_a_failing_check_makes_readyz_503_and_only_monitoring_learns_which(app, client):
    def queue_down() -> None:
        raise ConnectionError("redis://queue.internal:6379 refused the connection")

    register_readiness_check(app, "queue", queue_down)
    anonymous = client.get("/readyz")
    assert (anonymous.status_code, anonymous.get_json()) == (503, {"status": "not ready"})
    student = make_user(Role.STUDENT)
    login(client, student)
    assert client.get("/readyz").get_json() == {"status": "not ready"}
    app.config["METRICS_TOKEN"] = TOKEN
    monitoring = app.test_client().get("/readyz", headers={"Authorization": f"Bearer {TOKEN}"})
    checks = monitoring.get_json()["checks"]
    assert checks["queue"]["ok"] is False
    assert checks["queue"]["error"] == (
        "ConnectionError: redis://queue.internal:6379 refused the connection"
    )
    assert checks["database"]["ok"] is True


@pytest.mark.fresh_app
def test_a_check_that_hangs_is_given_up_after_the_timeout(app, client):
    import time

    register_readiness_check(app, "slow", lambda: time.sleep(2))
    app.config["READINESS_TIMEOUT"] = 0.2
    app.config["METRICS_TOKEN"] = TOKEN
    started = time.perf_counter()
    response = client.get("/readyz", headers={"Authorization": f"Bearer {TOKEN}"})
    assert time.perf_counter() - started < 1.5
    assert response.status_code == 503
    assert response.get_json()["checks"]["slow"]["error"] == "no answer within 0.2 s"


def test_each_response_carries_a_request_id(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert len(first) == 32 and int(first, 16) >= 0
    assert first != second


@pytest.mark.parametrize(
    ("offered", "kept"),
    [
        ("lb-7f3a9c2e-1b4d-4e8f", True),
        ("short", False),
        ("x" * 129, False),
        ("abc def ghi jkl", False),
        ("<script>alert(1)</script>", False),
    ],
)
def test_a_sane_incoming_request_id_is_kept_and_others_replaced(client, offered, kept):
    answered = client.get("/healthz", headers={"X-Request-ID": offered}).headers["X-Request-ID"]
    assert (answered == offered) is kept
    if not kept:
        assert len(answered) == 32


@pytest.mark.fresh_app
def test_every_log_record_of_a_request_carries_its_id(app, client, caplog):
    from clerkship.core.permissions import public

    @app.route("/test-log")
    @public
    def test_log():
        app.logger.warning("something to see")
        return "ok"

    with caplog.at_level(logging.INFO, logger=app.logger.name):
        response = client.get("/test-log", headers={"X-Request-ID": "req-0123456789"})
    (record,) = [r for r in caplog.records if r.getMessage() == "something to see"]
    assert record.request_id == response.headers["X-Request-ID"] == "req-0123456789"


def test_json_lines_hold_the_message_level_and_request_id(app):
    with app.test_request_context("/"):
        from flask import g

        g.request_id = "req-abcdef0123"
        record = logging.LogRecord(
            "clerkship", logging.ERROR, __file__, 1, "failed %s", ("x",), None
        )
        RequestIdFilter().filter(record)
        line = JsonLinesFormatter().format(record)
    entry = json.loads(line)
    assert "\n" not in line
    assert {k: entry[k] for k in ("level", "logger", "message", "request_id")} == {
        "level": "ERROR",
        "logger": "clerkship",
        "message": "failed x",
        "request_id": "req-abcdef0123",
    }


def test_a_job_runs_under_the_request_id_that_queued_it():
    assert current_request_id() is None
    with request_id_context("req-from-the-web"):
        record = logging.LogRecord("clerkship.jobs", logging.INFO, __file__, 1, "sent", (), None)
        RequestIdFilter().filter(record)
        assert current_request_id() == record.request_id == "req-from-the-web"
    assert current_request_id() is None


def test_json_log_format_is_set_from_the_setting(tmp_path, monkeypatch):
    from flask.logging import default_handler

    from clerkship import create_app

    monkeypatch.setenv("CLERKSHIP_INSTANCE_PATH", str(tmp_path))
    try:
        create_app({"TESTING": True, "LOG_FORMAT": "json", "SECRET_KEY": "x"})
        assert isinstance(default_handler.formatter, JsonLinesFormatter)
    finally:
        create_app({"TESTING": True, "SECRET_KEY": "x"})
    assert not isinstance(default_handler.formatter, JsonLinesFormatter)


def test_metrics_are_refused_without_a_token_or_an_allowed_address(app, client):
    assert client.get("/metrics").status_code == 403  # nothing configured: off
    app.config["METRICS_TOKEN"] = TOKEN
    assert client.get("/metrics").status_code == 403
    wrong = client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 403
    login(client, make_user(Role.ADMIN))
    assert client.get("/metrics").status_code == 403  # no role reads them


def test_metrics_count_requests_by_endpoint_and_status(app, client):
    app.config["METRICS_TOKEN"] = TOKEN
    client.get("/healthz")
    client.get("/no-such-page")
    text = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).get_data(
        as_text=True
    )
    assert (
        'clerkship_http_requests_total{endpoint="operations.healthz",method="GET",status="200"}'
        in text
    )
    assert 'clerkship_http_requests_total{endpoint="unmatched",method="GET",status="404"}' in text
    assert 'clerkship_http_request_duration_seconds_bucket{endpoint="operations.healthz"' in text
    for name in ("clerkship_jobs_queued", "clerkship_jobs_failed", "clerkship_messages_failed"):
        assert f"# TYPE {name}_total counter" in text


@pytest.mark.parametrize(
    ("allowed", "passes"), [(["127.0.0.1"], True), (["10.0.0.0/8"], False), (["127.0.0.0/8"], True)]
)
def test_metrics_by_client_address(app, client, allowed, passes):
    app.config["METRICS_ALLOWED_ADDRESSES"] = allowed
    assert (client.get("/metrics").status_code == 200) is passes


def _sample(text: str, series: str) -> float:
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_an_email_the_server_refuses_counts_as_a_failed_message(app, client):
    from tests.conftest import drain_outbox, free_port

    app.config["METRICS_TOKEN"] = TOKEN
    make_user(Role.STUDENT, email="forgetful@example.org")
    auth = {"Authorization": f"Bearer {TOKEN}"}
    before = _sample(
        client.get("/metrics", headers=auth).get_data(as_text=True),
        "clerkship_messages_failed_total",
    )
    app.config["MAIL_PORT"] = free_port()  # nobody listens: the mail server is down
    client.post("/password/forgot", data={"email": "forgetful@example.org"})
    drain_outbox(app)  # the worker tries, the server cannot be reached
    after = _sample(
        client.get("/metrics", headers=auth).get_data(as_text=True),
        "clerkship_messages_failed_total",
    )
    assert after == before + 1
