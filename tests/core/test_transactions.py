"""The request transaction: a refusal is rolled back in one place; GET views commit only on return."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clerkship.accounts.models import Role, User
from clerkship.core.permissions import public
from clerkship.core.rules import RuleViolation
from clerkship.core.transactions import commits_on_return, refusal
from clerkship.extensions import db
from tests.factories import make_user


def _names() -> list[str]:
    return list(db.session.scalars(select(User.full_name).order_by(User.id)))


def test_refusal_rolls_back_and_keeps_the_violation(app):
    user = make_user(Role.ADMIN)
    db.session.commit()
    with refusal() as refused:
        user.full_name = "Changed before the refusal"
        db.session.flush()
        raise RuleViolation("Not allowed.", field="name")
    assert refused.error is not None
    assert (refused.error.message, refused.error.field) == ("Not allowed.", "name")
    assert _names() == [user.full_name]
    assert user.full_name != "Changed before the refusal"


def test_refusal_without_violation_keeps_the_change(app):
    user = make_user(Role.ADMIN)
    db.session.commit()
    with refusal() as refused:
        user.full_name = "Kept"
    assert refused.error is None
    db.session.commit()
    assert _names() == ["Kept"]


def test_refusal_lets_other_errors_through(app):
    with pytest.raises(ValueError), refusal():
        raise ValueError("not a rule")


def test_commits_on_return_commits_what_the_view_recorded(app):
    user = make_user(Role.ADMIN)
    db.session.commit()

    @commits_on_return
    def view():
        user.full_name = "Recorded"
        return "page"

    assert view() == "page"
    db.session.rollback()  # nothing uncommitted is left to lose
    assert _names() == ["Recorded"]


def test_commits_on_return_commits_nothing_when_the_view_fails(app):
    user = make_user(Role.ADMIN)
    db.session.commit()
    before = user.full_name

    @commits_on_return
    def view():
        user.full_name = "Never committed"
        raise RuntimeError("failed")

    with pytest.raises(RuntimeError):
        view()
    db.session.rollback()
    assert _names() == [before]


@pytest.mark.fresh_app
def test_a_refusal_no_view_caught_is_rolled_back_and_shown_with_409(app):
    user = make_user(Role.ADMIN)
    db.session.commit()
    before, user_id = user.full_name, user.id

    @public
    def refuse():
        db.session.get(User, user_id).full_name = "Half done"
        db.session.flush()
        raise RuleViolation("This cannot be done now.")

    app.add_url_rule("/test-refusal", "test_refusal", refuse)
    response = app.test_client().get("/test-refusal")
    assert response.status_code == 409
    assert "This cannot be done now." in response.get_data(as_text=True)
    assert _names() == [before]
