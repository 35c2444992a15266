"""No page leaves a copy of itself in a browser's or a proxy's cache."""

from __future__ import annotations

from flask import Flask, Response, request

# Stylesheets, scripts and images: the same for everyone, safe to cache.
STATIC_ENDPOINTS = frozenset({"static", "bootstrap.static"})


def register_no_store(app: Flask) -> None:
    """Send Cache-Control: no-store with every response but static files.

    Nearly every page names a person (applications, scores, self-identification,
    downloads, even a letter writer's upload page); on a shared hospital computer
    the back button or a cache must not show it to the next user. Marking every
    dynamic response keeps a new page from being forgotten (security issue, finding 6).
    """

    @app.after_request
    def no_store(response: Response) -> Response:
        if request.endpoint in STATIC_ENDPOINTS:
            return response
        if "no-store" not in response.headers.get("Cache-Control", ""):
            response.headers["Cache-Control"] = "no-store"
        return response
