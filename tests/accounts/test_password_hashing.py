"""Argon2id parameters come from configuration: full cost by default, cheap in the suite."""

from __future__ import annotations

from argon2 import extract_parameters
from flask import Flask

from clerkship.accounts.passwords import hash_password, needs_rehash, verify_password
from clerkship.config import DefaultConfig


def test_default_parameters_are_the_production_cost():
    app = Flask(__name__)
    app.config.from_object(DefaultConfig)
    with app.app_context():
        password_hash = hash_password("a-long-test-password")
    parameters = extract_parameters(password_hash)
    assert (parameters.time_cost, parameters.memory_cost, parameters.parallelism) == (2, 19456, 1)
    assert password_hash.startswith("$argon2id$")


def test_hash_outside_an_app_uses_the_production_cost():
    parameters = extract_parameters(hash_password("a-long-test-password"))
    assert (parameters.time_cost, parameters.memory_cost, parameters.parallelism) == (2, 19456, 1)


def test_suite_hashes_cheaply_and_a_costlier_setting_asks_for_a_rehash(app):
    cheap = hash_password("a-long-test-password")
    parameters = extract_parameters(cheap)
    assert (parameters.time_cost, parameters.memory_cost, parameters.parallelism) == (1, 8, 1)
    assert verify_password(cheap, "a-long-test-password")
    assert needs_rehash(cheap) is False
    app_config = Flask(__name__)
    app_config.config.update(ARGON2_TIME_COST=2, ARGON2_MEMORY_COST=16, ARGON2_PARALLELISM=1)
    with app_config.app_context():
        assert needs_rehash(cheap) is True
        assert verify_password(cheap, "a-long-test-password")
