"""Times are stored in UTC and shown in the institution's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def institution_zone() -> ZoneInfo:
    """The configured time zone of the institution."""
    return ZoneInfo(current_app.config["TIME_ZONE"])


def local_today() -> date:
    """Today's date where the institution is."""
    return utcnow().astimezone(institution_zone()).date()


def to_local(value: datetime) -> datetime:
    """An aware UTC datetime converted to the institution's zone."""
    return value.astimezone(institution_zone())


def local_end_of_day(day: date) -> datetime:
    """The last moment of a local calendar day, as an aware UTC datetime."""
    return datetime.combine(day, time(23, 59, 59), institution_zone()).astimezone(UTC)


def local_datetime(day: date, at: time) -> datetime:
    """A local wall-clock time on a day, as an aware UTC datetime."""
    return datetime.combine(day, at, institution_zone()).astimezone(UTC)


def format_datetime(value: datetime | None, fmt: str = "%b %-d, %Y %-I:%M %p %Z") -> str:
    """A UTC datetime formatted in the institution's zone (template filter)."""
    if value is None:
        return ""
    return to_local(value).strftime(fmt)


def format_date(value: date | None, fmt: str = "%b %-d, %Y") -> str:
    """A date formatted for people (template filter)."""
    if value is None:
        return ""
    return value.strftime(fmt)
