"""Template filters and globals: formatting, and the permission predicates."""

from __future__ import annotations

import importlib
import inspect

from flask import Flask

from clerkship.accounts.models import Role
from clerkship.core import time


def register_templating(app: Flask, features: tuple[str, ...]) -> None:
    """Make formatting filters and every feature's can_* predicate available to templates."""
    app.jinja_env.filters["datetime"] = time.format_datetime
    app.jinja_env.filters["date"] = time.format_date
    app.jinja_env.filters["combine_args"] = lambda base, extra: {**base, **extra}
    app.jinja_env.globals["Role"] = Role
    for feature in features:
        try:
            module = importlib.import_module(f"clerkship.{feature}.permissions")
        except ModuleNotFoundError as error:
            if error.name != f"clerkship.{feature}.permissions":
                raise
            continue
        for name, predicate in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("can_"):
                app.jinja_env.globals[name] = predicate

    @app.context_processor
    def institution():
        return {"institution_name": app.config["INSTITUTION_NAME"]}
