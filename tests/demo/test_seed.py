"""`flask demo seed` builds the demo season on an empty database and refuses a non-empty one."""

from __future__ import annotations

from sqlalchemy import func, select

from clerkship.accounts.models import Membership, Role, User
from clerkship.accounts.passwords import verify_password
from clerkship.cycles.models import Block, Department
from clerkship.demo.data import DEMO_PASSWORD
from clerkship.extensions import db


def test_seed_builds_season_and_prints_logins(app):
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert "admin@keck.example.edu" in result.output
    assert f"password of every demo account: {DEMO_PASSWORD}" in result.output
    names = db.session.scalars(select(Department.name).order_by(Department.name)).all()
    assert names == ["Emergency Medicine", "Internal Medicine", "Pediatrics", "Psychiatry"]
    for block in db.session.scalars(select(Block)):
        assert 2 <= block.capacity <= 8 and 1 <= block.reserved <= 2
        assert 7 <= block.starts_on.month <= 12
    students = db.session.scalar(
        select(func.count(Membership.id)).where(Membership.role == Role.STUDENT)
    )
    assert students == 36
    for department in db.session.scalars(select(Department)):
        for role in (Role.DIRECTOR, Role.COORDINATOR, Role.REVIEWER):
            holders = db.session.scalar(
                select(func.count(Membership.id)).where(
                    Membership.role == role, Membership.department_id == department.id
                )
            )
            assert holders >= 1
    admin = db.session.scalar(select(User).where(User.email == "admin@keck.example.edu"))
    assert verify_password(admin.password_hash, DEMO_PASSWORD)


def test_seed_refuses_non_empty_database_unless_reset(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["demo", "seed"])
    refused = runner.invoke(args=["demo", "seed"])
    assert refused.exit_code == 1
    assert "The database is not empty" in refused.output
    kept = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert kept.exit_code == 0 and "leaving it as it is" in kept.output
    again = runner.invoke(args=["demo", "seed", "--reset"])
    assert again.exit_code == 0, again.output
    assert db.session.scalar(select(func.count(Department.id))) == 4


def test_seed_scale_adds_synthetic_students(app):
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--scale", "200"])
    assert result.exit_code == 0, result.output
    assert "236 students" in result.output
