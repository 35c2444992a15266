"""Headers of a file sent for download: it is saved, never rendered, sniffed or scripted.

A student's document opened beside a coordinator's decision buttons is the one exception:
sent inline, framed by our own pages only (frame-ancestors 'self'), still never cached.
"""

from __future__ import annotations

from flask import Response

# A document opened anyway (dragged into a tab) runs no script, loads nothing, submits nothing.
SANDBOX_POLICY = "sandbox; default-src 'none'; frame-ancestors 'none'"
# Shown inside our own review page: no sandbox, because Chromium refuses to draw a PDF in a
# sandboxed document, but nothing loaded from elsewhere and no other site may frame it. The
# file is a PDF or an image checked by its content at upload and sent with nosniff.
VIEW_POLICY = "default-src 'none'; img-src 'self'; object-src 'self'; frame-ancestors 'self'"
MARK = "clerkship_download"
VIEW_MARK = "clerkship_inline_view"


def as_download(response: Response) -> Response:
    """Mark response as a file download: attachment, nosniff, sandboxed, not cached."""
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = SANDBOX_POLICY
    setattr(response, MARK, True)
    return response


def as_inline_view(response: Response) -> Response:
    """Mark response as a file shown in a frame of our own pages: inline, nosniff, not cached."""
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = VIEW_POLICY
    setattr(response, VIEW_MARK, True)
    return response


def keep_download_policy(response: Response) -> Response:
    """An after-request hook that restores the policy the site-wide one replaced.

    Flask-Talisman writes the site's Content-Security-Policy (frame-ancestors 'none') and
    X-Frame-Options: DENY on every response; this hook is registered before it and
    therefore runs after it.
    """
    if getattr(response, MARK, False):
        response.headers["Content-Security-Policy"] = SANDBOX_POLICY
    elif getattr(response, VIEW_MARK, False):
        response.headers["Content-Security-Policy"] = VIEW_POLICY
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
