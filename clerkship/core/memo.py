"""Results kept for a while in the process: reports whose cost grows with the season.

A dashboard counts every application of a cycle; read again and again during a season it is
served from here for `seconds`, then computed afresh on the next read. Each server process
keeps its own copy (nothing to share or invalidate across processes), and the page says when
its figures were computed and offers to compute them now.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from threading import Lock
from typing import Generic, TypeVar

from flask import Flask, current_app

from clerkship.core.time import utcnow

T = TypeVar("T")
KEY = "clerkship.memo"


@dataclass(frozen=True)
class Kept(Generic[T]):
    value: T
    computed_at: datetime


class Memo:
    """key -> the value computed last and when; at most `limit` keys (the oldest go first)."""

    def __init__(self, limit: int = 256) -> None:
        self.limit = limit
        self._kept: dict[Hashable, Kept] = {}
        self._lock = Lock()

    def get(self, key: Hashable, seconds: float, compute: Callable[[], T], fresh=False) -> Kept[T]:
        """The value kept for key if it is younger than seconds (and fresh is false), else a
        newly computed one, kept. seconds <= 0 keeps nothing."""
        now = utcnow()
        kept = self._kept.get(key)
        if not fresh and kept is not None and now - kept.computed_at < timedelta(seconds=seconds):
            return kept
        kept = Kept(compute(), now)
        if seconds > 0:
            with self._lock:
                self._kept.pop(key, None)
                self._kept[key] = kept
                while len(self._kept) > self.limit:
                    self._kept.pop(next(iter(self._kept)))
        return kept

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


def init_memo(app: Flask) -> None:
    app.extensions[KEY] = Memo()


def memo() -> Memo:
    """The current app's memo."""
    return current_app.extensions[KEY]
