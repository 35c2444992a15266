"""The migrations build the schema the models describe, and run down and up again, on both databases."""

from __future__ import annotations

import uuid

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import CheckConstraint, create_engine, inspect
from sqlalchemy.engine import make_url

import clerkship.schema  # noqa: F401
from clerkship import create_app
from clerkship.extensions import db


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    """A brand-new empty database on the same server as the test database."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"clerkship_migrations_{uuid.uuid4().hex[:10]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def _check_constraints() -> dict[str, set[str]]:
    """Named CHECK constraints per table, as the database has them."""
    inspector = inspect(db.engine)
    return {
        table.name: {c["name"] for c in inspector.get_check_constraints(table.name)}
        for table in db.metadata.sorted_tables
    }


def _model_check_constraints() -> dict[str, set[str]]:
    """Named CHECK constraints per table, as the models declare them."""
    return {
        table.name: {c.name for c in table.constraints if isinstance(c, CheckConstraint) and c.name}
        for table in db.metadata.sorted_tables
    }


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


@pytest.mark.slow
def test_migrations_match_models_and_round_trip(empty_database_url):
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": empty_database_url}
    )
    with app.app_context():
        flask_migrate.upgrade()
        assert _differences() == []
        # Autogenerate does not compare CHECK constraints: compare them by name.
        assert _check_constraints() == _model_check_constraints()
        assert _tables() == {t.name for t in db.metadata.sorted_tables} | {"alembic_version"}
        flask_migrate.downgrade(revision="base")
        assert _tables() == {"alembic_version"}
        flask_migrate.upgrade()
        assert _differences() == []
        db.engine.dispose()


def test_two_step_secrets_are_encrypted_by_the_migration_and_decrypted_by_its_downgrade(
    empty_database_url,
):
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    from clerkship.accounts.models import User
    from clerkship.core.time import utcnow
    from tests.factories import make_user

    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": empty_database_url}
    )
    with app.app_context():
        flask_migrate.upgrade()
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        before = script.get_revision("0021").down_revision
        user = make_user(totp_secret="JBSWY3DPEHPK3PXP", totp_enabled_at=utcnow())
        db.session.commit()
        stored = 'SELECT totp_secret FROM "user" WHERE id = :id'
        assert db.session.execute(text(stored), {"id": user.id}).scalar() != "JBSWY3DPEHPK3PXP"
        db.session.remove()
        flask_migrate.downgrade(revision=before)
        with db.engine.connect() as connection:
            plain = connection.execute(text(stored), {"id": user.id}).scalar()
        assert plain == "JBSWY3DPEHPK3PXP"
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            token = connection.execute(text(stored), {"id": user.id}).scalar()
        assert token.startswith("gAAAA")  # a Fernet token
        assert db.session.get(User, user.id).totp_secret == "JBSWY3DPEHPK3PXP"
        db.session.remove()
        db.engine.dispose()
