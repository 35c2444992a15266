"""Template filters and globals: formatting, and the permission predicates."""

from __future__ import annotations

import inspect
from types import ModuleType

from flask import Flask, request

from clerkship.core import time


def register_templating(app: Flask) -> None:
    """Make the formatting filters and the institution's name available to templates."""
    app.jinja_env.filters["datetime"] = time.format_datetime
    app.jinja_env.filters["date"] = time.format_date
    app.jinja_env.filters["combine_args"] = lambda base, extra: {**base, **extra}
    # A missing value prints nothing, never the word "None", on a page or in an email.
    app.jinja_env.finalize = _nothing_for_none

    app.jinja_env.globals["query_args"] = query_args

    @app.context_processor
    def institution():
        return {"institution_name": app.config["INSTITUTION_NAME"]}


def query_args() -> dict[str, str]:
    """The request's query arguments (the first of each) for a link to the same list, less
    those that name a part of the page's path: a stray ?slug= or ?cycle= in the address must
    neither be passed twice to url_for (an error) nor send the link to another page."""
    path = request.view_args or {}
    return {key: value for key, value in request.args.items() if key not in path}


def _nothing_for_none(value):
    return "" if value is None else value


def register_predicates(app: Flask, permissions: ModuleType) -> None:
    """Make a feature's can_* predicates available to templates (from its init_app)."""
    for name, predicate in inspect.getmembers(permissions, inspect.isfunction):
        if name.startswith("can_") and predicate.__module__ == permissions.__name__:
            app.jinja_env.globals[name] = predicate
