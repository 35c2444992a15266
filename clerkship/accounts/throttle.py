"""Failed sign-ins, counted so that guessing is slow but nobody can lock another person out.

Only failures count. They are counted per account and client address together
(LOGIN_FAILURE_LIMIT, 10 per 15 minutes) and per address alone with a high limit
(LOGIN_ADDRESS_FAILURE_LIMIT, 300 per 15 minutes: a class signing in from one
hospital network fits). A browser that has signed in to the account before carries
a signed device cookie; its attempts are counted on the device instead of the
address, so failures from anyone else do not block it (security issue, finding 3).
The counters live in the rate-limit storage (RATELIMIT_STORAGE_URI).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from flask import Response, current_app, request
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse_many

from clerkship.accounts.models import User
from clerkship.core.tokens import TokenExpired, TokenInvalid, make_token, read_token
from clerkship.extensions import limiter

DEVICE_COOKIE = "clerkship_device"
DEVICE_PURPOSE = "device"
DEVICE_ACCOUNTS = 5  # accounts a shared browser is remembered for


@dataclass(frozen=True)
class Attempt:
    """Who tries to sign in to which account, from where."""

    email: str
    address: str
    device: str | None  # the device id, when this browser signed in to the account before


@dataclass(frozen=True)
class Block:
    """Why an attempt is refused, and for how long."""

    seconds: int
    per_address: bool


def attempt_for(email: str, user: User | None) -> Attempt:
    """The attempt the current request makes at the account of email (user, if it exists)."""
    device = _read_device()
    known = device is not None and user is not None and user.id in device["u"]
    return Attempt(
        email=email.strip().lower()[:254],
        address=get_remote_address() or "unknown",
        device=device["d"] if known else None,
    )


def blocked(attempt: Attempt) -> Block | None:
    """The block on this attempt, or None when it may go ahead."""
    if not _enabled():
        return None
    now = time.time()
    for limits, identifiers, per_address in _counters(attempt, checking=True):
        for limit in limits:
            if not limiter.limiter.test(limit, *identifiers):
                reset_at, _remaining = limiter.limiter.get_window_stats(limit, *identifiers)
                return Block(seconds=max(1, int(reset_at - now) + 1), per_address=per_address)
    return None


def record_failure(attempt: Attempt) -> None:
    """Count a wrong password (or unknown email) against the attempt's counters."""
    if not _enabled():
        return
    for limits, identifiers, _per_address in _counters(attempt, checking=False):
        for limit in limits:
            limiter.limiter.hit(limit, *identifiers)


def record_success(attempt: Attempt) -> None:
    """Forget the account's failures from where it just signed in."""
    if not _enabled():
        return
    limits, identifiers, _ = _account_counter(attempt)
    for limit in limits:
        limiter.limiter.clear(limit, *identifiers)


def remember_device(response: Response, user: User) -> None:
    """Mark this browser as one that signed in to user's account (a signed cookie)."""
    device = _read_device() or {"d": secrets.token_urlsafe(16), "u": []}
    accounts = [uid for uid in device["u"] if uid != user.id][-(DEVICE_ACCOUNTS - 1) :]
    days = current_app.config["DEVICE_COOKIE_DAYS"]
    response.set_cookie(
        DEVICE_COOKIE,
        make_token(DEVICE_PURPOSE, {"d": device["d"], "u": [*accounts, user.id]}),
        max_age=days * 86400,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def _read_device() -> dict | None:
    value = request.cookies.get(DEVICE_COOKIE)
    if not value:
        return None
    try:
        device = read_token(DEVICE_PURPOSE, value, current_app.config["DEVICE_COOKIE_DAYS"] * 86400)
    except (TokenExpired, TokenInvalid):
        return None
    if not isinstance(device, dict) or not isinstance(device.get("u"), list):
        return None
    return device


def _account_counter(attempt: Attempt) -> tuple[list[RateLimitItem], tuple[str, ...], bool]:
    where = f"device:{attempt.device}" if attempt.device else f"address:{attempt.address}"
    limits = parse_many(current_app.config["LOGIN_FAILURE_LIMIT"])
    return limits, ("login-failures", attempt.email, where), False


def _counters(attempt: Attempt, *, checking: bool):
    yield _account_counter(attempt)
    # A known device is not held back by what others on its network do; its own
    # failures still count towards the network's total.
    if not (checking and attempt.device):
        limits = parse_many(current_app.config["LOGIN_ADDRESS_FAILURE_LIMIT"])
        yield limits, ("login-failures-address", attempt.address), True
