"""Talking to the mail server: one SMTP connection for a batch of messages."""

from __future__ import annotations

import smtplib
import ssl
from email import message_from_bytes, policy
from email.utils import getaddresses, parseaddr

from flask import Flask


class TemporaryFailure(Exception):
    """The mail server could not take the message now (4xx, no connection): try again later.

    `connection` is true when the server could not be reached or dropped the connection:
    the rest of the batch would fail the same way.
    """

    def __init__(self, detail: str, *, connection: bool = False) -> None:
        super().__init__(detail)
        self.connection = connection


class PermanentFailure(Exception):
    """The mail server refused the message for good (5xx)."""


def envelope(raw: bytes) -> tuple[str, list[str]]:
    """The sender and recipient addresses of a stored MIME message."""
    parsed = message_from_bytes(raw, policy=policy.default)
    sender = parseaddr(str(parsed["From"]))[1]
    recipients = [address for _name, address in getaddresses([str(parsed["To"])]) if address]
    return sender, recipients


class Connection:
    """An SMTP session opened on first use and reused for every message of a batch."""

    def __init__(self, app: Flask) -> None:
        self.config = app.config
        self.smtp: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        config = self.config
        host, port = config["MAIL_SERVER"], int(config["MAIL_PORT"])
        timeout = config["MAIL_TIMEOUT"]
        if config.get("MAIL_USE_SSL"):
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        return smtp

    def send(self, raw: bytes) -> None:
        """Hand one message to the server; raise TemporaryFailure or PermanentFailure."""
        sender, recipients = envelope(raw)
        try:
            if self.smtp is None:
                self.smtp = self._open()
            self.smtp.sendmail(sender, recipients, raw)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _text in error.recipients.values()]
            detail = "; ".join(
                f"{address}: {code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
                for address, (code, text) in error.recipients.items()
            )
            self._reset()
            if all(500 <= code < 600 for code in codes):
                raise PermanentFailure(detail) from error
            raise TemporaryFailure(detail) from error
        except smtplib.SMTPConnectError as error:  # the server's greeting was a refusal
            self.close()
            raise TemporaryFailure(
                f"{error.smtp_code} {error.smtp_error!r}", connection=True
            ) from error
        except smtplib.SMTPResponseException as error:
            text = error.smtp_error
            detail = f"{error.smtp_code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
            if 500 <= error.smtp_code < 600:
                self._reset()
                raise PermanentFailure(detail) from error
            # 421 closes the session; any other 4xx leaves it usable for the next message.
            if error.smtp_code == 421:
                self.close()
                raise TemporaryFailure(detail, connection=True) from error
            self._reset()
            raise TemporaryFailure(detail) from error
        except (OSError, smtplib.SMTPException) as error:
            self.close()
            raise TemporaryFailure(f"{type(error).__name__}: {error}", connection=True) from error

    def _reset(self) -> None:
        """After a refused message, make the session usable for the next one."""
        try:
            if self.smtp is not None:
                self.smtp.rset()
        except (OSError, smtplib.SMTPException):
            self.close()

    def close(self) -> None:
        if self.smtp is None:
            return
        try:
            self.smtp.quit()
        except (OSError, smtplib.SMTPException):
            self.smtp.close()
        self.smtp = None
