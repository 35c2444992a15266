"""Secret links: hidden on the outbox pages outside development, and removed from a
secret message once it is delivered (delivery.py)."""

from __future__ import annotations

import re

from clerkship.outbox.console import LINK

REDACTED = "[secret link hidden]"
# A link carrying a token: a long random path segment or query value (itsdangerous tokens,
# token_urlsafe), as in verification, password reset, invitation and letter upload links.
TOKEN = re.compile(r"[A-Za-z0-9_\-.]{24,}")


def redact(text: str, *, secret: bool) -> str:
    """text with every link of a secret message, and any link carrying a token, hidden."""

    def hide(match: re.Match) -> str:
        link = match.group(0)
        path = link.split("://", 1)[-1].split("/", 1)[-1]
        return REDACTED if secret or TOKEN.search(path) else link

    return LINK.sub(hide, text)
