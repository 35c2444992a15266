"""What a start page shows: panels of things to do, each a link to where it is done."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from clerkship.core.time import format_datetime


@dataclass(frozen=True)
class Item:
    """One thing to do or to know: a sentence, the page where it is done, and a deadline.

    flag names what makes it pressing ("Overdue", "Due soon"), shown before it; detail is a
    second, quieter line.
    """

    text: str
    href: str | None = None
    detail: str = ""
    flag: str = ""


@dataclass
class Panel:
    """A titled list of items; empty says what "nothing to do" means for it."""

    key: str
    title: str
    items: list[Item] = field(default_factory=list)
    empty: str = "Nothing waiting for you."
    links: list[Item] = field(default_factory=list)  # where to go besides the items

    def add(self, text: str, href: str | None = None, **fields) -> None:
        self.items.append(Item(text, href, **fields))


def plural(count: int, one: str, many: str | None = None) -> str:
    """ "1 review", "3 reviews" (many defaults to one + "s")."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def countdown(deadline: datetime, now: datetime) -> str:
    """Time left before deadline, in the largest two units: "2 days 5 hours left"."""
    seconds = int((deadline - now).total_seconds())
    if seconds <= 0:
        return "the deadline has passed"
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    if days:
        parts = [plural(days, "day")] + ([plural(hours, "hour")] if hours else [])
    elif hours:
        parts = [plural(hours, "hour")] + ([plural(minutes, "minute")] if minutes else [])
    else:
        parts = [plural(max(minutes, 1), "minute")]
    return " ".join(parts) + " left"


def by(deadline: datetime, now: datetime) -> str:
    """ "by Jan 5, 2027 5:00 PM PST (2 days 5 hours left)", in the institution's zone."""
    return f"by {format_datetime(deadline)} ({countdown(deadline, now)})"


def on_day(day: date) -> str:
    """A calendar date for people: "Jan 5, 2027"."""
    return f"{day:%b %-d, %Y}"


def due_soon(deadline: datetime, now: datetime, hours: int = 48) -> str:
    """ "Due soon" when deadline falls within the next hours, else no flag."""
    return "Due soon" if (deadline - now).total_seconds() <= hours * 3_600 else ""
