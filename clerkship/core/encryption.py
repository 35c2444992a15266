"""Secrets the app must read back, kept encrypted in the database (two-step sign-in secrets).

A password is hashed (argon2) because it is only ever compared; a two-step sign-in secret
must be read to compute the current code, so it is encrypted instead, with Fernet
(AES-128-CBC and HMAC-SHA256, from `cryptography`). A copy of the database, a backup or
a dump then holds no secret that works without the key, which lives in the configuration:

- `DATA_ENCRYPTION_KEYS`: a list of Fernet keys (`flask accounts new-encryption-key` makes
  one). The first encrypts; every key decrypts, so a new key is put first and the old
  one kept after it until `flask accounts reencrypt-secrets` has rewritten every secret.
- Without it, one key is derived from SECRET_KEY (HKDF-SHA256): changing SECRET_KEY then
  makes the stored secrets unreadable; set DATA_ENCRYPTION_KEYS before rotating it.
"""

from __future__ import annotations

import base64
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

EXTENSION_KEY = "clerkship.data_encryption"
UNREADABLE = ""  # what a secret reads as when no configured key opens it
log = logging.getLogger(__name__)


def derived_key(secret_key: str) -> bytes:
    """The Fernet key derived from SECRET_KEY when no DATA_ENCRYPTION_KEYS are set."""
    material = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"clerkship data encryption"
    ).derive(secret_key.encode("utf-8"))
    return base64.urlsafe_b64encode(material)


def _cipher() -> MultiFernet:
    config = current_app.config
    keys = tuple(config.get("DATA_ENCRYPTION_KEYS") or ()) or (derived_key(config["SECRET_KEY"]),)
    cached = current_app.extensions.get(EXTENSION_KEY)
    if cached is None or cached[0] != keys:
        cached = (keys, MultiFernet([Fernet(key) for key in keys]))
        current_app.extensions[EXTENSION_KEY] = cached
    return cached[1]


def encrypt(value: str) -> str:
    """value encrypted with the first key, as text."""
    return _cipher().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """The value, or UNREADABLE (logged) when no configured key opens the token."""
    try:
        return _cipher().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        log.error("A stored secret cannot be decrypted with the configured keys")
        return UNREADABLE


def reencrypt(token: str) -> str:
    """The token encrypted again with the first key (after a new key was put first)."""
    return _cipher().rotate(token.encode("ascii")).decode("ascii")


class EncryptedString(TypeDecorator):
    """A short secret stored as a Fernet token; the model reads and writes the plain value."""

    impl = String(255)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: str | None, dialect) -> str | None:
        return None if value is None else decrypt(value)
