"""Two-step sign-in (TOTP): enrolment, the code after the password, recovery codes, admin reset.

Admins and the award committee (TWO_FACTOR_ROLES) must use it; everyone else may.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from freezegun import freeze_time
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from clerkship.accounts.models import RecoveryCode, Role
from clerkship.audit.models import AuditEvent
from clerkship.extensions import db
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    current_code,
    enrol_two_factor,
    make_student,
    make_user,
    sign_in_with_code,
)
from tests.test_permissions import STATIC_ENDPOINTS

START = "2027-01-04 09:00:00"
WRONG_CODE = "That code is not correct or was already used."
ENROL = "/account/two-factor"


def _password(client, email: str, password: str = PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def _code(client, code: str):
    return client.post("/login/code", data={"code": code})


def _actions(user) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.subject_user_id == user.id)
            .order_by(AuditEvent.id)
        )
    )


def _secret_on(page: str) -> str:
    found = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page)
    assert found, page
    return found.group(1).replace(" ", "")


def _recovery_codes_on(page: str) -> list[str]:
    return re.findall(r"<li>([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})</li>", page)


def _enrol(client) -> tuple[str, list[str]]:
    """Go through enrolment on client; the secret shown and the recovery codes."""
    secret = _secret_on(client.get(ENROL).get_data(as_text=True))
    response = client.post(ENROL, data={"code": current_code(secret)})
    assert response.status_code == 200
    return secret, _recovery_codes_on(response.get_data(as_text=True))


def test_admin_is_taken_to_enrolment_right_after_signing_in(client):
    admin = make_user(Role.ADMIN, email="admin@example.org")
    response = _password(client, "admin@example.org")
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).headers["Location"] == ENROL
    assert client.get("/admin/users/").headers["Location"] == ENROL
    page = client.get(ENROL).get_data(as_text=True)
    assert "your account must use two-step sign-in" in page
    secret = _secret_on(page)
    uri = f"otpauth://totp/clerkship:admin%40example.org?secret={secret}&amp;issuer=clerkship"
    assert uri in page
    # The QR code is drawn here, an inline SVG: nothing is loaded from elsewhere.
    assert '<svg width="196" height="196" class="totp-qr">' in page
    assert "<title>QR code of the address below</title>" in page
    db.session.refresh(admin)
    assert admin.has_two_factor is False


def test_enrolment_refuses_a_wrong_code_then_turns_on_with_ten_recovery_codes_shown_once(client):
    admin = make_user(Role.ADMIN, email="admin@example.org")
    login(client, admin)
    old_token = admin.session_token
    page = client.get(ENROL).get_data(as_text=True)
    secret = _secret_on(page)
    response = client.post(ENROL, data={"code": "000000"})
    assert response.status_code == 200
    assert "That code is not correct." in response.get_data(as_text=True)
    assert _secret_on(response.get_data(as_text=True)) == secret  # the same key on reload
    response = client.post(ENROL, data={"code": current_code(secret)})
    codes = _recovery_codes_on(response.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    db.session.refresh(admin)
    assert admin.has_two_factor
    assert admin.totp_secret == secret
    assert admin.session_token != old_token  # other devices are signed out
    stored = set(db.session.scalars(select(RecoveryCode.code_hash)))
    assert stored == {hashlib.sha256(c.replace("-", "").encode()).hexdigest() for c in codes}
    assert _actions(admin) == ["account.two_factor_enrol"]
    # This session goes on; the codes are not shown again.
    assert client.get("/admin/users/").status_code == 200
    status = client.get(ENROL).get_data(as_text=True)
    assert "Unused recovery codes: 10 of 10." in status
    assert _recovery_codes_on(status) == []


def test_enrolled_user_is_signed_in_only_after_the_code(client):
    admin = make_user(Role.ADMIN, email="admin@example.org")
    secret = enrol_two_factor(admin)
    response = _password(client, "admin@example.org")
    assert response.headers["Location"] == "/login/code"
    assert client.get("/admin/users/").headers["Location"] == "/login?next=%2Fadmin%2Fusers%2F"
    assert "Two-step sign-in" in client.get("/login/code").get_data(as_text=True)
    assert _actions(admin) == []  # no sign-in yet
    response = _code(client, current_code(secret))
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/admin/users/").status_code == 200
    assert _actions(admin) == ["account.login"]


def test_sign_in_code_keeps_where_the_user_was_going(client):
    secret = enrol_two_factor(make_user(Role.ADMIN, email="admin@example.org"))
    client.post(
        "/login?next=/admin/users/", data={"email": "admin@example.org", "password": PASSWORD}
    )
    assert _code(client, current_code(secret)).headers["Location"] == "/admin/users/"


def test_wrong_code_is_refused_and_recorded(client):
    admin = make_user(Role.AWARD_COMMITTEE, email="c@example.org")
    enrol_two_factor(admin)
    _password(client, "c@example.org")
    response = _code(client, "123456")
    assert response.status_code == 200
    assert WRONG_CODE in response.get_data(as_text=True)
    assert client.get("/account/password").headers["Location"].startswith("/login")
    assert _actions(admin) == ["account.two_factor_failed"]


def test_code_page_without_a_password_first_sends_to_sign_in(client):
    response = client.get("/login/code")
    assert response.headers["Location"] == "/login"
    assert _code(client, "123456").headers["Location"] == "/login"


def test_a_used_code_is_refused_the_next_time(client):
    admin = make_user(Role.ADMIN, email="admin@example.org")
    secret = enrol_two_factor(admin)
    with freeze_time(START) as frozen:
        code = current_code(secret)
        sign_in_with_code(client, "admin@example.org", secret)
        client.post("/logout")
        _password(client, "admin@example.org")
        response = _code(client, code)
        assert response.status_code == 200
        assert WRONG_CODE in response.get_data(as_text=True)
        frozen.tick(timedelta(seconds=30))
        assert _code(client, current_code(secret)).status_code == 302
    db.session.refresh(admin)
    assert admin.totp_last_step == pyotp.TOTP(secret).timecode(frozen.time_to_freeze)


def test_a_code_from_the_previous_time_step_is_accepted(client):
    secret = enrol_two_factor(make_user(Role.ADMIN, email="admin@example.org"))
    with freeze_time(START) as frozen:
        code = current_code(secret)
        frozen.tick(timedelta(seconds=30))
        _password(client, "admin@example.org")
        assert _code(client, code).status_code == 302


def test_a_code_two_time_steps_old_is_refused(client):
    secret = enrol_two_factor(make_user(Role.ADMIN, email="admin@example.org"))
    with freeze_time(START) as frozen:
        code = current_code(secret)
        frozen.tick(timedelta(seconds=60))
        _password(client, "admin@example.org")
        assert WRONG_CODE in _code(client, code).get_data(as_text=True)


def test_a_recovery_code_works_once(client, app):
    admin = make_user(Role.ADMIN, email="admin@example.org")
    login(client, admin)
    _secret, codes = _enrol(client)
    client.post("/logout")
    browser = app.test_client()
    _password(browser, "admin@example.org")
    response = _code(browser, codes[3].lower().replace("-", " "))
    assert response.status_code == 302
    assert browser.get("/admin/users/").status_code == 200
    assert "Unused recovery codes: 9 of 10." in browser.get(ENROL).get_data(as_text=True)
    browser.post("/logout")
    _password(browser, "admin@example.org")
    assert WRONG_CODE in _code(browser, codes[3]).get_data(as_text=True)
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "account.recovery_code_used")
    )
    assert event.summary == "Signed in with a recovery code; 9 left"


def test_failed_codes_count_toward_the_sign_in_limit_and_a_password_does_not_clear_them(app):
    # Real time, not frozen: the limiter's counters outlive the test's frozen clock.
    secret = enrol_two_factor(make_user(Role.ADMIN, email="limits@example.org"))
    totp = pyotp.TOTP(secret)
    step = totp.timecode(datetime.now(UTC))
    valid_soon = {totp.generate_otp(s) for s in range(step - 1, step + 4)}
    wrong = next(
        c
        for c in ("000000", "111111", "222222", "333333", "444444", "555555")
        if c not in valid_soon
    )
    client = app.test_client()
    _password(client, "limits@example.org")
    assert [_code(client, wrong).status_code for _ in range(5)] == [200] * 5
    _password(client, "limits@example.org")  # a right password forgets no failure
    assert [_code(client, wrong).status_code for _ in range(5)] == [200] * 5
    response = _code(client, current_code(secret))
    assert response.status_code == 429
    assert "Too many failed sign-ins to this account from here." in response.get_data(as_text=True)
    assert _password(client, "limits@example.org").status_code == 429


def test_every_page_but_enrolment_and_sign_out_sends_an_unenrolled_committee_member_to_enrol(
    app,
):
    make_user(Role.AWARD_COMMITTEE, email="c@example.org")
    client = app.test_client()
    _password(client, "c@example.org")
    open_while_enrolling = {"accounts.two_factor", "accounts.logout"}
    urls = app.url_map.bind("localhost")
    elsewhere, checked = [], 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in open_while_enrolling | STATIC_ENDPOINTS:
            continue
        values = {
            name: 1 if isinstance(converter, IntegerConverter) else "x"
            for name, converter in rule._converters.items()
        }
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(urls.build(rule.endpoint, values), method=method)
            checked += 1
            if response.status_code != 302 or response.headers["Location"] != ENROL:
                elsewhere.append((method, rule.endpoint, response.status_code))
            response.close()
    assert elsewhere == []
    assert checked > 200  # every endpoint and method of the app
    assert client.get(ENROL).status_code == 200
    assert client.post("/logout").headers["Location"] == "/"
    assert client.get(ENROL).headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AWARD_COMMITTEE])
def test_required_roles_reach_their_pages_once_enrolled(client, role):
    make_user(role, email="staff@example.org")
    _password(client, "staff@example.org")
    _enrol(client)
    assert client.get("/account/password").status_code == 200


def test_a_student_may_enrol_from_the_account_page_and_then_signs_in_with_a_code(client, app):
    student = make_student(email="s@example.org")
    _password(client, "s@example.org")
    account = client.get("/account/password").get_data(as_text=True)
    assert "Set up two-step sign-in" in account
    assert "your account must use two-step sign-in" not in client.get(ENROL).get_data(as_text=True)
    secret, codes = _enrol(client)
    assert len(codes) == 10
    db.session.refresh(student)
    assert student.has_two_factor
    browser = app.test_client()
    with freeze_time(START):
        assert _password(browser, "s@example.org").headers["Location"] == "/login/code"
        assert _code(browser, current_code(secret)).status_code == 302


def test_a_student_who_did_not_enrol_signs_in_with_the_password_alone(client):
    make_student(email="s@example.org")
    assert _password(client, "s@example.org").headers["Location"] == "/"
    assert client.get("/account/password").status_code == 200


def test_another_admin_resets_a_lost_second_factor_audited(client, app):
    admin = make_user(Role.ADMIN, email="admin@example.org")
    member = make_user(Role.AWARD_COMMITTEE, email="c@example.org")
    secret = enrol_two_factor(member)
    member_browser = app.test_client()
    sign_in_with_code(member_browser, "c@example.org", secret)
    login(client, admin)
    page = client.get(f"/admin/users/{member.id}").get_data(as_text=True)
    assert "Reset two-step sign-in" in page
    response = client.post(f"/admin/users/{member.id}/two-factor/reset")
    assert response.headers["Location"] == f"/admin/users/{member.id}"
    db.session.refresh(member)
    assert member.has_two_factor is False
    assert member.totp_secret is None
    assert db.session.scalars(select(RecoveryCode)).all() == []
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "account.two_factor_reset")
    )
    assert (event.actor_id, event.subject_user_id) == (admin.id, member.id)
    assert event.summary == "Two-step sign-in reset by admin@example.org"
    # Signed out everywhere; at the next sign-in they set it up again.
    assert member_browser.get("/account/password").headers["Location"].startswith("/login")
    _password(member_browser, "c@example.org")
    assert member_browser.get("/account/password").headers["Location"] == ENROL


def test_an_admin_cannot_reset_their_own_second_factor(client):
    admin = make_user(Role.ADMIN, email="admin@example.org")
    enrol_two_factor(admin)
    login(client, admin)
    assert "Reset two-step sign-in" not in client.get(f"/admin/users/{admin.id}").get_data(
        as_text=True
    )
    client.post(f"/admin/users/{admin.id}/two-factor/reset")
    page = client.get(f"/admin/users/{admin.id}").get_data(as_text=True)
    assert "You cannot reset your own two-step sign-in; ask another administrator." in page
    db.session.refresh(admin)
    assert admin.has_two_factor
    assert "account.two_factor_reset" not in _actions(admin)


def test_a_role_that_requires_it_granted_later_sends_to_enrolment(client):
    student = make_student(email="s@example.org")
    _password(client, "s@example.org")
    assert client.get("/account/password").status_code == 200
    student.memberships[0].role = Role.AWARD_COMMITTEE
    db.session.commit()
    assert client.get("/account/password").headers["Location"] == ENROL


def test_two_factor_roles_are_a_setting(client, app):
    app.config["TWO_FACTOR_ROLES"] = ["admin"]
    make_user(Role.AWARD_COMMITTEE, email="c@example.org")
    _password(client, "c@example.org")
    assert client.get("/account/password").status_code == 200


def test_a_student_with_a_second_factor_is_remembered_only_after_the_code(client, app):
    secret = enrol_two_factor(make_student(email="s@example.org"))
    client.post("/login", data={"email": "s@example.org", "password": PASSWORD, "remember": "y"})
    assert client.get_cookie("remember_token") is None
    assert _code(client, current_code(secret)).status_code == 302
    later = app.test_client()  # this browser after its session cookie has gone
    later.set_cookie("remember_token", client.get_cookie("remember_token").value)
    assert later.get("/account/password").status_code == 200


def test_a_pending_sign_in_ends_after_five_minutes(client):
    secret = enrol_two_factor(make_user(Role.ADMIN, email="admin@example.org"))
    with freeze_time(START) as frozen:
        _password(client, "admin@example.org")
        frozen.tick(timedelta(minutes=5, seconds=1))
        assert _code(client, current_code(secret)).headers["Location"] == "/login"
    assert client.get("/account/password").headers["Location"].startswith("/login")


def test_new_recovery_codes_need_a_code_from_the_app_and_replace_the_old_ones(client, app):
    admin = make_user(Role.ADMIN, email="admin@example.org")
    with freeze_time(START) as frozen:
        login(client, admin)
        secret, old_codes = _enrol(client)
        renew = "/account/two-factor/recovery-codes"
        response = client.post(renew, data={"code": current_code(secret)})  # already used
        assert response.status_code == 400
        assert "That code is not correct or was already used." in response.get_data(as_text=True)
        frozen.tick(timedelta(seconds=30))
        response = client.post(renew, data={"code": current_code(secret)})
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert "Your earlier recovery codes no longer work." in page
        new_codes = _recovery_codes_on(page)
        assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert _actions(admin) == ["account.two_factor_enrol", "account.recovery_codes_renewed"]
    client.post("/logout")
    browser = app.test_client()
    _password(browser, "admin@example.org")
    assert WRONG_CODE in _code(browser, old_codes[0]).get_data(as_text=True)
    assert _code(browser, new_codes[0]).status_code == 302
