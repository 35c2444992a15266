"""Secrets kept encrypted in the database: readable only with a configured key."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet
from flask import current_app
from sqlalchemy import text

from clerkship.accounts import totp
from clerkship.accounts.models import User
from clerkship.core.time import utcnow
from clerkship.extensions import db
from tests.factories import make_user

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _stored(user_id: int) -> str:
    return db.session.execute(
        text('SELECT totp_secret FROM "user" WHERE id = :id'), {"id": user_id}
    ).scalar()


def _reload(user_id: int) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


class _Keys:
    """DATA_ENCRYPTION_KEYS of the served app and of the twin the test's code runs in."""

    def __init__(self, *configs) -> None:
        self.configs = configs

    def __setitem__(self, name: str, value: list[str]) -> None:
        for config in self.configs:
            config[name] = value


@pytest.fixture
def keys(app):
    configs = (app.config, current_app.config)
    saved = [config.get("DATA_ENCRYPTION_KEYS") for config in configs]
    yield _Keys(*configs)
    for config, value in zip(configs, saved, strict=True):
        config["DATA_ENCRYPTION_KEYS"] = value


def test_a_two_step_secret_is_stored_encrypted_and_read_back(app):
    user = make_user(totp_secret=SECRET, totp_enabled_at=utcnow())
    db.session.commit()
    stored = _stored(user.id)
    assert SECRET not in stored
    assert stored.startswith("gAAAA")
    assert _reload(user.id).totp_secret == SECRET


def test_a_new_key_first_keeps_old_secrets_readable_and_reencrypt_moves_them(app, keys):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    keys["DATA_ENCRYPTION_KEYS"] = [old]
    user = make_user(totp_secret=SECRET, totp_enabled_at=utcnow())
    db.session.commit()
    keys["DATA_ENCRYPTION_KEYS"] = [new, old]
    assert _reload(user.id).totp_secret == SECRET
    result = CliRunner().invoke(app.cli, ["users", "reencrypt-secrets"], catch_exceptions=False)
    assert "encrypted with the first key" in result.output
    keys["DATA_ENCRYPTION_KEYS"] = [new]  # the old key retired
    assert _reload(user.id).totp_secret == SECRET
    assert Fernet(new.encode()).decrypt(_stored(user.id).encode()).decode() == SECRET


def test_a_secret_no_key_opens_matches_no_code(app, keys):
    keys["DATA_ENCRYPTION_KEYS"] = [Fernet.generate_key().decode()]
    user = make_user(totp_secret=SECRET, totp_enabled_at=utcnow())
    db.session.commit()
    keys["DATA_ENCRYPTION_KEYS"] = [Fernet.generate_key().decode()]  # the key was lost
    unreadable = _reload(user.id).totp_secret
    assert unreadable == ""
    # No code matches it, and checking one is a refusal, not an error page.
    assert all(
        totp.matching_step(unreadable, code, after=None) is None
        for code in ("000000", "123456", "328482")
    )


def test_new_encryption_key_prints_a_fernet_key(app):
    result = CliRunner().invoke(app.cli, ["users", "new-encryption-key"], catch_exceptions=False)
    Fernet(result.output.strip().encode())  # a valid key
