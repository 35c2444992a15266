"""A real SMTP server (aiosmtpd) whose answers a test controls: refuse, then accept."""

from __future__ import annotations

import email
import email.policy
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.conftest import free_port


class ScriptedMailbox:
    """Answers DATA with `answer` (250 by default); keeps what it accepted."""

    def __init__(self) -> None:
        self.accepted: list[EmailMessage] = []
        self.answer = "250 Message accepted"
        self.refused = 0
        self.lock = threading.Lock()
        # Called with the message before answering (a test may block here).
        self.before_answer = None

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        if not self.answer.startswith("250"):
            self.refused += 1
            return self.answer
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.accepted.append(message)
        if self.before_answer is not None:
            self.before_answer(message)
        return self.answer

    def message_ids(self) -> list[str]:
        with self.lock:
            return [m["Message-ID"] for m in self.accepted]


@contextmanager
def smtp_server(port: int | None = None) -> Iterator[tuple[ScriptedMailbox, int]]:
    """A scripted server on a port of its own (or the given one), stopped afterwards."""
    box = ScriptedMailbox()
    port = port or free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def wait_until(condition, timeout: float = 20.0, step: float = 0.05) -> None:
    """Poll condition until it holds (or fail after timeout seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(step)
