"""The wire form the outbox writes itself: it parses back to what was written."""

from __future__ import annotations

import email
import email.policy

import pytest

from clerkship.outbox.mime import wire_bytes

SENDER = "clerkship <no-reply@clerkship.local>"


def _content(part) -> str:
    """A part's text with the Unix line ends it was written with (the wire carries CRLF)."""
    return part.get_content().replace("\r\n", "\n")


def _parse(raw: bytes):
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert b"\n" not in raw.replace(b"\r\n", b"")  # every line ends in CRLF
    return email.message_from_bytes(raw, policy=email.policy.default)


def test_text_with_an_html_alternative_parses_back():
    text = "Dear Zoë,\n\nLine " + "x" * 1200 + "\n"
    html = "<p>Dear Zoë,</p>\n<p>Line " + "x" * 1200 + "</p>\n"
    raw = wire_bytes(
        sender=SENDER,
        to="zoe@example.org",
        subject="Ça commence: Emergency Medicine Sub-I",
        message_id="<id@clerkship.local>",
        text=text,
        html=html,
    )
    parsed = _parse(raw)
    assert parsed["Subject"] == "Ça commence: Emergency Medicine Sub-I"
    assert parsed["To"] == "zoe@example.org"
    assert parsed["Message-ID"] == "<id@clerkship.local>"
    assert _content(parsed.get_body(("plain",))) == text
    assert _content(parsed.get_body(("html",))) == html


def test_a_plain_ascii_text_travels_readable_as_it_is():
    text = "Your offer: https://clerkship.example.edu/offers/7\n\n. a line that starts with a dot\n"
    raw = wire_bytes(
        sender=SENDER,
        to="a@example.org, b@example.org",
        subject="Offer",
        message_id="<x@y>",
        text=text,
    )
    assert b"Content-Transfer-Encoding: 7bit" in raw
    assert b"https://clerkship.example.edu/offers/7\r\n" in raw  # readable on the outbox page
    parsed = _parse(raw)
    assert parsed.get_content_type() == "text/plain"
    assert _content(parsed) == text
    assert parsed["To"] == "a@example.org, b@example.org"


@pytest.mark.parametrize(
    "text", ["tab\tand = sign  \n", "no final line break", "crlf\r\ninside\r\n"]
)
def test_bodies_come_back_with_unix_line_ends(text):
    raw = wire_bytes(sender=SENDER, to="a@example.org", subject="s", message_id="<x@y>", text=text)
    assert _content(_parse(raw)).rstrip("\n") == text.replace("\r\n", "\n").rstrip("\n")


def test_a_header_cannot_be_split_by_a_line_break():
    raw = wire_bytes(
        sender=SENDER,
        to="a@example.org",
        subject="Hello\r\nBcc: everyone@example.org",
        message_id="<x@y>",
        text="t",
    )
    parsed = _parse(raw)
    assert parsed["Bcc"] is None
    assert parsed["Subject"] == "Hello Bcc: everyone@example.org"
