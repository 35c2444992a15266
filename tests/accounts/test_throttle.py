"""Failed sign-ins slow down guessing without letting anyone lock an account's owner out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time

from tests.factories import PASSWORD, make_student

WRONG = "wrong-password-here"
BLOCKED_ACCOUNT = (
    "Too many failed sign-ins to this account from here. Please try again in 15 minutes, "
    "or reset your password. A browser you have signed in with before can sign in now."
)
BLOCKED_NETWORK = (
    "Too many failed sign-ins from your network. Please try again in 15 minutes. "
    "A browser you have signed in with before can sign in now."
)


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True}


def _browser(app, address: str = "10.0.0.1"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _login(client, email="s@example.org", password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def _fail(client, times: int, email="s@example.org") -> list[int]:
    return [_login(client, email, WRONG).status_code for _ in range(times)]


def test_ten_failures_pause_that_account_from_that_address_with_a_message(app):
    make_student(email="s@example.org")
    attacker = _browser(app)
    with freeze_time("2027-01-04 09:00:00"):
        assert _fail(attacker, 10) == [200] * 10
        response = _login(attacker)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "901"
    assert BLOCKED_ACCOUNT in response.get_data(as_text=True)


def test_failures_from_elsewhere_do_not_block_the_owner(app):
    make_student(email="s@example.org")
    assert _fail(_browser(app, "203.0.113.9"), 10) == [200] * 10
    assert _login(_browser(app, "10.0.0.1")).status_code == 302


def test_a_browser_that_signed_in_before_is_not_blocked_on_its_own_network(app):
    make_student(email="s@example.org")
    owner = _browser(app)
    assert _login(owner).status_code == 302
    owner.post("/logout")
    assert _fail(_browser(app), 10) == [200] * 10  # someone else, same network
    assert _login(_browser(app)).status_code == 429
    assert _login(owner).status_code == 302


def test_successful_sign_ins_are_not_counted(app):
    make_student(email="s@example.org")
    browser = _browser(app)
    statuses = []
    for _ in range(12):
        statuses.append(_login(browser).status_code)
        browser.post("/logout")
    assert statuses == [302] * 12


def test_a_class_on_one_network_signs_in_despite_typos(app):
    for n in range(8):
        make_student(email=f"s{n}@example.org")
    results = []
    for n in range(8):
        browser = _browser(app)
        _login(browser, f"s{n}@example.org", WRONG)
        results.append(_login(browser, f"s{n}@example.org").status_code)
    assert results == [302] * 8


class TestNetworkLimit:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "LOGIN_ADDRESS_FAILURE_LIMIT": "5 per 15 minutes"}

    def test_many_failures_from_one_address_pause_it_but_not_known_browsers(self, app):
        make_student(email="owner@example.org")
        known = _browser(app)
        assert _login(known, "owner@example.org").status_code == 302
        known.post("/logout")
        guesser = _browser(app)
        with freeze_time("2027-01-04 09:00:00"):
            assert [_fail(guesser, 1, f"n{n}@example.org")[0] for n in range(5)] == [200] * 5
            refused = _login(_browser(app), "owner@example.org")
            assert refused.status_code == 429
            assert BLOCKED_NETWORK in refused.get_data(as_text=True)
            assert _login(known, "owner@example.org").status_code == 302


def test_the_pause_lifts_after_fifteen_minutes(app):
    make_student(email="s@example.org")
    browser = _browser(app)
    with freeze_time("2027-01-04 09:00:00") as frozen:
        _fail(browser, 10)
        assert _login(browser).status_code == 429
        frozen.tick(timedelta(minutes=15, seconds=1))
        assert _login(browser).status_code == 302
