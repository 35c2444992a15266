"""Uploaded files and their kinds."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clerkship.accounts.models import User
from clerkship.core.time import utcnow
from clerkship.core.types import UTCDateTime, enum_type
from clerkship.cycles.models import Cycle
from clerkship.extensions import db


@dataclass(frozen=True)
class KindRules:
    """What a kind of document accepts and whether it expires."""

    label: str
    formats: tuple[str, ...]  # "pdf", "jpeg", "png"
    expires: bool = False
    # Shows the student's name or school, so it is withheld from blinded reviewers.
    identifying: bool = True
    # The student may add a redacted copy (name and school blacked out) that blinded
    # reviewers see in its place.
    redactable: bool = False


class DocumentKind(enum.Enum):
    """The kinds of document a student (or a letter writer) uploads."""

    CV = "cv"
    TRANSCRIPT = "transcript"
    GOOD_STANDING = "good_standing"
    IMMUNIZATIONS = "immunizations"
    BLS = "bls"
    TB_SCREEN = "tb_screen"
    BACKGROUND_CHECK = "background_check"
    PHOTO = "photo"
    LETTER = "letter"

    @property
    def rules(self) -> KindRules:
        return KIND_RULES[self]

    @property
    def label(self) -> str:
        return self.rules.label

    @property
    def expires(self) -> bool:
        return self.rules.expires


KIND_RULES = {
    DocumentKind.CV: KindRules("CV", ("pdf",), redactable=True),
    DocumentKind.TRANSCRIPT: KindRules("Transcript", ("pdf",), redactable=True),
    DocumentKind.GOOD_STANDING: KindRules("Letter of good standing", ("pdf",)),
    DocumentKind.IMMUNIZATIONS: KindRules("Immunization record", ("pdf",), expires=True),
    DocumentKind.BLS: KindRules("BLS card", ("pdf", "jpeg", "png"), expires=True),
    DocumentKind.TB_SCREEN: KindRules("TB screen", ("pdf",), expires=True),
    DocumentKind.BACKGROUND_CHECK: KindRules("Background check", ("pdf",), expires=True),
    DocumentKind.PHOTO: KindRules("Photo", ("jpeg", "png")),
    DocumentKind.LETTER: KindRules("Letter of recommendation", ("pdf",)),
}


class Document(db.Model):
    """One uploaded file. Replacing a document keeps the old row (replaced_at set)."""

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"))
    kind: Mapped[DocumentKind] = mapped_column(enum_type(DocumentKind))
    original_name: Mapped[str] = mapped_column(String(255))
    # A random name under the instance's upload folder, never derived from the upload.
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    expires_on: Mapped[date | None] = mapped_column(Date)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A coordinator checked it (compliance tracking).
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # A coordinator sent it back: the student is asked for a new version, for this reason.
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejected_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    rejection_reason: Mapped[str | None] = mapped_column(String(1000))
    # A redacted copy of the student's current document of its kind, for blinded reviewers
    # only: it never counts as the document itself (checklists, compliance).
    redacted: Mapped[bool] = mapped_column(default=False)

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    cycle: Mapped[Cycle] = relationship()

    __table_args__ = (
        # One current document of each kind per student and cycle, and one redacted copy;
        # letters are many.
        Index(
            "uq_document_current_kind",
            "owner_id",
            "cycle_id",
            "kind",
            "redacted",
            unique=True,
            sqlite_where=text("replaced_at IS NULL AND kind != 'letter'"),
            postgresql_where=text("replaced_at IS NULL AND kind != 'letter'"),
        ),
        # A document is verified or sent back, never both.
        CheckConstraint("verified_at IS NULL OR rejected_at IS NULL", name="verified_or_rejected"),
    )

    @property
    def is_current(self) -> bool:
        return self.replaced_at is None

    @property
    def label(self) -> str:
        """The kind's name, saying when this is a redacted copy."""
        return f"{self.kind.label} (redacted copy)" if self.redacted else self.kind.label
