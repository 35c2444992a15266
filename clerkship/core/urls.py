"""Absolute links for emails, inside or outside a request."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for


def external_url(endpoint: str, **values) -> str:
    """An absolute URL for endpoint: from the request's host, or BASE_URL in commands."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return url_for(endpoint, _external=True, **values)


def safe_next(target: str | None, default: str) -> str:
    """target when it is a path on this site (a ?next= to follow), else default."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    return default
