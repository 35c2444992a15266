"""Error pages: every error a person can meet gets a page that says what to do."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from clerkship.core.params import BadParameter
from clerkship.core.rules import RuleViolation
from clerkship.extensions import db

TITLES = {
    400: "The request could not be understood",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "That action is not allowed here",
    409: "Someone else changed this first",
    413: "That file is too large",
    429: "Too many attempts",
    500: "Something went wrong on our side",
}


def register_error_handlers(app: Flask) -> None:
    """Render the HTTP errors, and refusals no view caught, with the site's layout."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        message = (
            "This form has expired or was opened in another session. "
            "Go back, reload the page and send it again; nothing was saved."
        )
        return _render(400, message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.code == 429:
            return _render(429, _rate_limit_message(error), retry=True)
        if error.code == 413:
            limit = app.config["MAX_UPLOAD_BYTES"] // (1024 * 1024)
            return _render(413, f"Files can be at most {limit} MB. Nothing was saved.")
        shown = error.code in (403, 409) or isinstance(error, BadParameter)
        return _render(error.code, error.description if shown else None)

    @app.errorhandler(RuleViolation)
    def refused(error: RuleViolation):
        # A refusal no view caught: the request's changes go, the person reads why.
        db.session.rollback()
        return _render(409, error.message)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return _render(500, None)


def _rate_limit_message(error: HTTPException) -> str:
    return (
        "You have tried this too many times in a short while. Please wait a minute and try again."
    )


def _render(code: int, message: str | None, retry: bool = False):
    template = "errors/403.html" if code == 403 else "errors/error.html"
    return (
        render_template(
            template, code=code, title=TITLES.get(code, "Error"), message=message, retry=retry
        ),
        code,
    )
