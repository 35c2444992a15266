"""The permission matrix's vocabulary: who may reach an endpoint, and how to build its URL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.world import ROLES, World

EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
ADMIN = frozenset({"admin"})
DEPARTMENT_MANAGERS = frozenset({"director", "admin"})
DEPARTMENT_STAFF = frozenset({"director", "coordinator", "admin"})
STUDENTS = frozenset({"student", "other_student"})


@dataclass(frozen=True)
class Rule:
    """Roles allowed through an endpoint; everyone else gets 403 (anonymous: sign in)."""

    endpoint: str
    url: Callable[[World], str]
    allowed: frozenset[str]
    method: str = "GET"
    data: Callable[[World], dict] | None = None
    # What an anonymous caller who is not allowed gets: sent to sign in, or a plain 403
    # where signing in would not help (metrics).
    refused_anonymous: str = "login"

    @property
    def id(self) -> str:
        return f"{self.method} {self.endpoint}"
