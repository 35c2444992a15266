"""Absolute links for emails, always on the configured BASE_URL."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    """An absolute URL for endpoint on BASE_URL, inside or outside a request.

    Never from the request: its Host and X-Forwarded-Host headers are chosen by
    the client, and a reset link built from them would carry its token to
    another site (security issue, finding 1).
    """
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme or "https"
    )
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)


def safe_next(target: str | None, default: str) -> str:
    """target when it is a path on this site (a ?next= to follow), else default."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    return default
