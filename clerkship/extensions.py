"""Flask extensions, created unbound; create_app() binds them to an app."""

from __future__ import annotations

import click
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, identical on SQLite and PostgreSQL, so migrations can
# refer to them (and SQLite batch operations can recreate tables with them).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class _MigrateSettings:
    """What Flask-Migrate's commands and migrations/env.py read from app.extensions["migrate"].

    Flask-Migrate itself is made on first use: importing it imports Alembic, about a tenth
    of a second that every start of the app (a web worker, every other command) would pay.
    """

    def __init__(self, db: SQLAlchemy, directory: str, **configure_args: object) -> None:
        self.db = db
        self.directory = directory
        self.configure_args = configure_args
        self._migrate = None

    @property
    def migrate(self):
        """The Flask-Migrate object (its commands read their Alembic configuration from it)."""
        if self._migrate is None:
            from flask_migrate import Migrate

            self._migrate = Migrate(db=self.db, directory=self.directory, **self.configure_args)
        return self._migrate

    @property
    def metadata(self) -> MetaData:
        return self.db.metadata


class _MigrationCommands(click.Group):
    """`flask db ...`: Flask-Migrate's command group, imported when a `db` command runs."""

    @staticmethod
    def _commands() -> click.Group:
        from flask_migrate.cli import db as commands

        return commands

    def make_context(self, info_name, args, parent=None, **extra):
        # The context (options, callback, subcommands) is the real group's from here on.
        return self._commands().make_context(info_name, args, parent=parent, **extra)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._commands().list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self._commands().get_command(ctx, name)


class LazyMigrate:
    """Flask-Migrate's `init_app`, without importing Flask-Migrate (see `_MigrateSettings`)."""

    def init_app(self, app, db: SQLAlchemy, *, directory: str, render_as_batch: bool) -> None:
        app.extensions["migrate"] = _MigrateSettings(
            db, directory, compare_type=True, render_as_batch=render_as_batch
        )
        app.cli.add_command(_MigrationCommands("db", help="Perform database migrations."))


db = SQLAlchemy(model_class=Base)
migrate = LazyMigrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
bootstrap = Bootstrap5()
