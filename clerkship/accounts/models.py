"""People and the roles they hold."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import Protocol

from flask_login import UserMixin
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clerkship.core.encryption import EncryptedString
from clerkship.core.time import utcnow
from clerkship.core.types import UTCDateTime, enum_type
from clerkship.extensions import db


class Department(Protocol):
    """A department as accounts sees it (cycles.models.Department): accounts sit below cycles."""

    id: int
    name: str


class Role(enum.Enum):
    """What a person may do; the middle three are held per department."""

    STUDENT = "student"
    REVIEWER = "reviewer"
    DIRECTOR = "director"
    COORDINATOR = "coordinator"
    AWARD_COMMITTEE = "award_committee"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def is_departmental(self) -> bool:
        return self in DEPARTMENTAL_ROLES


ROLE_LABELS = {
    Role.STUDENT: "Student",
    Role.REVIEWER: "Reviewer",
    Role.DIRECTOR: "Clerkship director",
    Role.COORDINATOR: "Coordinator",
    Role.AWARD_COMMITTEE: "Award committee",
    Role.ADMIN: "Administrator",
}
DEPARTMENTAL_ROLES = frozenset({Role.REVIEWER, Role.DIRECTOR, Role.COORDINATOR})
STAFF_ROLES = frozenset(Role) - {Role.STUDENT}


def new_session_token() -> str:
    """A random token that identifies the current credentials of a user."""
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    """A person who signs in: a student or a member of staff."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Part of the login cookie: changing it signs the user out everywhere.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    active: Mapped[bool] = mapped_column(default=True)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Second factor (accounts/two_factor.py): the TOTP secret once enrolment is confirmed,
    # and the last time step a code was accepted for, so that no code works twice.
    # Encrypted at rest (core/encryption.py): the app must read it to compute the code.
    totp_secret: Mapped[str | None] = mapped_column(EncryptedString())
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # Single sign-on (accounts/sso.py): the account's subject at the OpenID provider (its
    # `sub` claim, stable where the email may change) and when it was linked.
    sso_subject: Mapped[str | None] = mapped_column(String(255), unique=True)
    sso_linked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint(
            "(totp_secret IS NULL) = (totp_enabled_at IS NULL)", name="totp_secret_iff_enabled"
        ),
    )

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    @property
    def has_two_factor(self) -> bool:
        """Whether the user enrolled an authenticator app (a second factor)."""
        return self.totp_enabled_at is not None

    def has_role(self, role: Role, department: Department | None = None) -> bool:
        """Whether the user holds role (in department, for departmental roles)."""
        return any(
            m.role == role and (department is None or m.department_id == department.id)
            for m in self.memberships
        )

    def department_ids(self, *roles: Role) -> set[int]:
        """Ids of the departments where the user holds any of roles."""
        return {m.department_id for m in self.memberships if m.role in roles and m.department_id}

    @property
    def roles(self) -> set[Role]:
        return {m.role for m in self.memberships}

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMIN)

    @property
    def is_student(self) -> bool:
        return self.has_role(Role.STUDENT)

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class Membership(db.Model):
    """A role held by a user, in a department for reviewer, director and coordinator."""

    __tablename__ = "membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(enum_type(Role))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    department: Mapped[Department | None] = relationship("Department", lazy="joined")

    __table_args__ = (
        CheckConstraint(
            "(role IN ('reviewer', 'director', 'coordinator')) = (department_id IS NOT NULL)",
            name="department_iff_departmental_role",
        ),
        Index(
            "uq_membership_institution_role",
            "user_id",
            "role",
            unique=True,
            sqlite_where=department_id.is_(None),
            postgresql_where=department_id.is_(None),
        ),
        Index(
            "uq_membership_department_role",
            "user_id",
            "role",
            "department_id",
            unique=True,
            sqlite_where=department_id.isnot(None),
            postgresql_where=department_id.isnot(None),
        ),
        # Every request loads the signed-in user's memberships: neither partial index
        # above serves "all of this user's" (a scan of every student's membership).
        Index("ix_membership_user_id", "user_id"),
    )

    @property
    def label(self) -> str:
        if self.department is None:
            return self.role.label
        return f"{self.role.label}, {self.department.name}"


class RecoveryCode(db.Model):
    """A single-use code that stands in for the authenticator app; only its hash is kept."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(back_populates="recovery_codes")


class Anonymous:
    """The visitor who has not signed in: holds no role, so every predicate refuses."""

    is_authenticated = False
    is_active = False
    is_anonymous = True
    is_admin = False
    is_student = False
    is_staff = False
    is_verified = False
    has_two_factor = False
    roles: frozenset[Role] = frozenset()
    id = None

    def get_id(self) -> None:
        return None

    def has_role(self, role: Role, department: Department | None = None) -> bool:
        return False

    def department_ids(self, *roles: Role) -> set[int]:
        return set()
