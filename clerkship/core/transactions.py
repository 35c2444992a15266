"""The request transaction: one per request, committed by the view, rolled back on refusal.

Services flush and never commit. A view commits once, after its service call went through.
A refused change (RuleViolation) is rolled back here, in one place: views run their
service calls inside `with refusal() as refused:`, and a violation that escapes a view is
rolled back by the shared error handler (core/errors.py). A GET view never commits: the
few that leave a trace are decorated with @commits_on_return.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps
from typing import TypeVar

from clerkship.core.database import writes_ahead
from clerkship.core.rules import RuleViolation
from clerkship.extensions import db

View = TypeVar("View", bound=Callable)


@dataclass
class Refusal:
    """What a block of service calls came to: the violation that refused it, or None."""

    error: RuleViolation | None = None


@contextmanager
def refusal() -> Iterator[Refusal]:
    """Run service calls; on a RuleViolation roll back everything the request changed.

    The violation is kept on the yielded Refusal (for the page to show) instead of raised.
    """
    outcome = Refusal()
    try:
        yield outcome
    except RuleViolation as error:
        db.session.rollback()
        outcome.error = error


def commits_on_return(view: View) -> View:
    """For the GET views that leave a trace: commit it once the view returned, here only.

    Opening some pages is itself recorded (an audited download or export, a viewing of
    self-identification answers) and following an emailed link confirms an address; such a
    view calls its service and returns, and this commits. No GET view commits by itself.
    A view that raises commits nothing (the error handler rolls back).
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        if db.engine.dialect.name == "sqlite":
            # It will write: on SQLite take the write lock before reading, as write requests
            # do (core/database.py). A read transaction that tries to write after another
            # connection committed (the job worker recording an email, say) fails at once.
            writes_ahead()
            db.session.commit()  # ends a read a before_request hook may have begun
        response = view(*args, **kwargs)
        db.session.commit()
        return response

    return wrapper  # type: ignore[return-value]
