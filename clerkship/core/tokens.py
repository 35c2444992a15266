"""Signed, expiring tokens for links sent by email."""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class TokenInvalid(Exception):
    """The link is not one we issued, or was altered."""


class TokenExpired(Exception):
    """The link was ours but is too old."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"clerkship.{purpose}")


def make_token(purpose: str, payload: Any) -> str:
    """Sign payload for one purpose (a token for one purpose is refused for another)."""
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age: int) -> Any:
    """The payload of a token, or TokenExpired / TokenInvalid."""
    try:
        return _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise TokenExpired from error
    except BadSignature as error:
        raise TokenInvalid from error
