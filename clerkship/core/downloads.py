"""Headers of a file sent for download: it is saved, never rendered, sniffed or scripted."""

from __future__ import annotations

from flask import Response

# A document opened anyway (dragged into a tab) runs no script, loads nothing, submits nothing.
SANDBOX_POLICY = "sandbox; default-src 'none'; frame-ancestors 'none'"
MARK = "clerkship_download"


def as_download(response: Response) -> Response:
    """Mark response as a file download: attachment, nosniff, sandboxed, not cached."""
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = SANDBOX_POLICY
    setattr(response, MARK, True)
    return response


def keep_download_policy(response: Response) -> Response:
    """An after-request hook that restores the sandbox the site-wide policy replaced.

    Flask-Talisman writes the site's Content-Security-Policy on every response; this hook
    is registered before it and therefore runs after it.
    """
    if getattr(response, MARK, False):
        response.headers["Content-Security-Policy"] = SANDBOX_POLICY
    return response
