"""An email's wire form (RFC 5322 with CRLF line ends), written out directly.

The standard library's EmailMessage parses every header it is given back through its
header registry: about half a millisecond per email, which made a publication of
hundreds of offers (or a staff message to hundreds of students) too slow for a request.
The emails this app writes have one shape, a plain text with an optional HTML alternative,
so this writes that shape itself; emails with attachments (the interview's .ics) still go
through EmailMessage (services.queue_message).

A body in ASCII whose lines are short travels as it is (7bit), so the stored message stays
readable on the outbox page in development; any other body is quoted-printable.
"""

from __future__ import annotations

import quopri
import secrets
from email.header import Header

MAX_LINE = 998  # octets per line, RFC 5322 2.1.1


def header(value: str) -> str:
    """A header's value; encoded (RFC 2047) when it is not plain ASCII, and on one line."""
    value = " ".join(value.split())  # no line break can smuggle a header in
    if value.isascii():
        return value
    return Header(value, "utf-8").encode().replace("\n", "\r\n")


def _part(subtype: str, body: str) -> str:
    """A text part: its headers, a blank line and its body, every line ending in CRLF."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if body.isascii() and all(len(line) <= MAX_LINE for line in lines):
        encoding, encoded = "7bit", "\r\n".join(lines)
    else:
        data = "\n".join(lines).encode("utf-8")
        encoding = "quoted-printable"
        encoded = quopri.encodestring(data).decode("ascii").replace("\n", "\r\n")
    if not encoded.endswith("\r\n"):
        encoded += "\r\n"
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        f"Content-Transfer-Encoding: {encoding}\r\n\r\n{encoded}"
    )


def wire_bytes(
    *, sender: str, to: str, subject: str, message_id: str, text: str, html: str | None = None
) -> bytes:
    """The whole email as SMTP carries it: the text, then its HTML alternative if any."""
    head = [
        f"Subject: {header(subject)}",
        f"From: {header(sender)}",
        f"To: {header(to)}",
        f"Message-ID: {message_id}",
        "MIME-Version: 1.0",
    ]
    if html is None:
        return ("\r\n".join(head) + "\r\n" + _part("plain", text)).encode("ascii")
    boundary = f"=_{secrets.token_hex(16)}"
    head.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
    # The line break before a boundary belongs to the boundary (RFC 2046 5.1.1): each
    # part's own last line break is kept by writing one more.
    parts = "".join(
        f"--{boundary}\r\n{_part(kind, body)}\r\n"
        for kind, body in (("plain", text), ("html", html))
    )
    return ("\r\n".join(head) + f"\r\n\r\n{parts}--{boundary}--\r\n").encode("ascii")
