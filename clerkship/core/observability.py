"""Request ids and logs: every request gets an id, returned in X-Request-ID and written
in every log record made while it runs (and in a job's records, which carry it along).

LOG_FORMAT = "json" writes one JSON object a line (time, level, logger, message,
request_id, and the exception's traceback if any), for a log collector; "text" keeps
Flask's readable lines with the request id added.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request
from flask.logging import default_handler

HEADER = "X-Request-ID"
# A caller's id is kept when it is short and plain (a proxy's or load balancer's id);
# anything else is replaced, so that a log line never carries what a client injected.
SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
_job_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "clerkship_request_id", default=None
)


def current_request_id() -> str | None:
    """The id of the request (or of the request a running job was queued by)."""
    if has_request_context() and "request_id" in g:
        return g.request_id
    return _job_request_id.get()


@contextmanager
def request_id_context(request_id: str | None) -> Iterator[None]:
    """Run a job under the id of the request that queued it (its log records carry it)."""
    token = _job_request_id.set(request_id)
    try:
        yield
    finally:
        _job_request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds record.request_id ("-" outside any request or job)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id() or "-"
        return True


class JsonLinesFormatter(logging.Formatter):
    """One JSON object a line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or current_request_id(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(app: Flask) -> None:
    """The app's log records carry the request id; JSON lines when LOG_FORMAT is json."""
    request_filter = RequestIdFilter()
    if not any(isinstance(f, RequestIdFilter) for f in app.logger.filters):
        app.logger.addFilter(request_filter)
    if not any(isinstance(f, RequestIdFilter) for f in default_handler.filters):
        default_handler.addFilter(request_filter)
    if app.config["LOG_FORMAT"] == "json":
        default_handler.setFormatter(JsonLinesFormatter())
    else:
        default_handler.setFormatter(
            logging.Formatter(
                "[%(asctime)s] %(levelname)s in %(module)s [%(request_id)s]: %(message)s"
            )
        )
    if not app.debug and app.logger.level == logging.NOTSET:
        app.logger.setLevel(app.config["LOG_LEVEL"])


def register_request_ids(app: Flask) -> None:
    """Give each request an id (the caller's, when sane) and send it back."""

    @app.before_request
    def assign_request_id() -> None:
        offered = request.headers.get(HEADER, "")
        g.request_id = offered if SANE_ID.match(offered) else uuid.uuid4().hex

    @app.after_request
    def send_request_id(response: Response) -> Response:
        if "request_id" in g:
            response.headers[HEADER] = g.request_id
        return response
