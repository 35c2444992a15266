"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

from clerkship.config import DefaultConfig


def _hasher() -> PasswordHasher:
    """The hasher for the configured argon2id cost (ARGON2_* settings)."""
    config = current_app.config if has_app_context() else {}
    return _hasher_for(
        config.get("ARGON2_TIME_COST", DefaultConfig.ARGON2_TIME_COST),
        config.get("ARGON2_MEMORY_COST", DefaultConfig.ARGON2_MEMORY_COST),
        config.get("ARGON2_PARALLELISM", DefaultConfig.ARGON2_PARALLELISM),
    )


@lru_cache(maxsize=4)
def _hasher_for(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


# Passwords that meet the length rule but are among the most often breached.
COMMON_PASSWORDS = frozenset(
    {
        "123456789012",
        "1234567890123",
        "password1234",
        "passwordpassword",
        "qwertyuiopas",
        "qwerty123456",
        "iloveyou1234",
        "letmein12345",
        "welcome12345",
        "administrator",
        "abcdefghijkl",
        "aaaaaaaaaaaa",
        "111111111111",
        "000000000000",
        "medicalschool",
        "medicalstudent",
        "clerkship123",
        "password12345",
        "changeme1234",
        "trustno11234",
    }
)


def hash_password(password: str) -> str:
    """An argon2id hash of password."""
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether password matches the hash (False for a missing or corrupt hash)."""
    if not password_hash:
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's."""
    return _hasher().check_needs_rehash(password_hash)


def password_problems(password: str, *, email: str, name: str = "", min_length: int) -> list[str]:
    """What is wrong with a proposed password, in words for the person choosing it."""
    problems = []
    lowered = password.lower()
    if len(password) < min_length:
        problems.append(f"Use at least {min_length} characters.")
    if len(password) > 128:
        problems.append("Use at most 128 characters.")
    local_part = email.lower().partition("@")[0]
    if email and (lowered == email.lower() or (len(local_part) >= 4 and local_part in lowered)):
        problems.append("Do not use your email address in your password.")
    name_parts = [part for part in name.lower().split() if len(part) >= 4]
    if any(part in lowered for part in name_parts):
        problems.append("Do not use your name in your password.")
    if lowered in COMMON_PASSWORDS or len(set(password)) <= 2:
        problems.append("This password is too easy to guess; choose a less common one.")
    return problems


_dummy_hashes: list[str] = []


def dummy_hash() -> str:
    """A hash of a random password made like every other, to verify against for unknown emails.

    Verifying against it costs what verifying a real account's hash costs, so a failed
    sign-in takes as long whether or not the address has an account. It is made again
    when the hashing parameters change.
    """
    if not _dummy_hashes or needs_rehash(_dummy_hashes[0]):
        _dummy_hashes[:] = [hash_password(secrets.token_urlsafe(24))]
    return _dummy_hashes[0]
