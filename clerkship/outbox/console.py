"""Development without a mail server: each message is shown in the console the app runs in."""

from __future__ import annotations

import re
import sys
from email import message_from_bytes, policy

LINK = re.compile(r"https?://[^\s<>\"')]+")


def links_in(text: str) -> list[str]:
    """Every http(s) link of a text, in order, without repeats."""
    return list(dict.fromkeys(LINK.findall(text)))


def show(raw: bytes, body_text: str) -> None:
    """Print the message's recipient, subject and links to stderr, where `make run` shows them.

    Not the log: the dev server's log level hides INFO, and a newcomer who registered
    must see the verification link.
    """
    parsed = message_from_bytes(raw, policy=policy.default)
    lines = [
        "-" * 72,
        f"Email (no MAIL_SERVER configured) to {parsed['To']}",
        f"Subject: {parsed['Subject']}",
    ]
    lines += [f"  link: {link}" for link in links_in(body_text)]
    lines.append("-" * 72)
    print("\n".join(lines), file=sys.stderr, flush=True)
