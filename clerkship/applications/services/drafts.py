"""Changes a student makes to a draft: ranked blocks and the personal statement.

Each change locks the application, refuses a page older than the last save
(optimistic locking, so two tabs never overwrite each other silently) and
saves at once: the student can leave at any step and come back.
"""

from __future__ import annotations

from clerkship.accounts.models import User
from clerkship.applications.checklist import count_words
from clerkship.applications.models import Application, ApplicationChoice, ApplicationState
from clerkship.applications.queries import lock_application
from clerkship.applications.services import check_version
from clerkship.audit.services import record_event
from clerkship.core.rules import RuleViolation
from clerkship.core.time import utcnow
from clerkship.cycles.models import Block
from clerkship.extensions import db

MAX_STATEMENT_CHARACTERS = 40_000


def _editable(application: Application, version: int | None) -> Application:
    application = lock_application(application)
    if application.state != ApplicationState.DRAFT:
        raise RuleViolation(
            f"This application is {application.state.label.lower()}; it can no longer be changed."
        )
    check_version(application, version)
    return application


def _touch(application: Application) -> None:
    # Saving the row bumps its version, so other open pages learn they are stale.
    application.updated_at = utcnow()


def _renumber(application: Application, ordered: list[ApplicationChoice]) -> None:
    """Give the choices ranks 1..n in this order without ever repeating a rank on the way."""
    for choice in ordered:
        choice.rank += 1000
    db.session.flush()
    for rank, choice in enumerate(ordered, start=1):
        choice.rank = rank
    db.session.flush()


def add_choice(
    application: Application, block: Block | None, *, version: int | None, by: User
) -> None:
    """Rank one more block of the department, last."""
    application = _editable(application, version)
    department = application.department
    if (
        block is None
        or block.cycle_id != application.cycle_id
        or block.rotation.department_id != department.id
    ):
        raise RuleViolation(f"Choose one of the blocks {department.name} offers in this cycle.")
    if any(choice.block_id == block.id for choice in application.choices):
        raise RuleViolation(f"{block.label} is already in your list.")
    if len(application.choices) >= department.max_choices:
        raise RuleViolation(
            f"You can rank at most {department.max_choices} blocks for {department.name}. "
            "Remove one before adding another."
        )
    rank = max((choice.rank for choice in application.choices), default=0) + 1
    application.choices.append(ApplicationChoice(block=block, rank=rank))
    _touch(application)
    db.session.flush()
    record_event("application.choice_add", by=by, target=application, block_id=block.id, rank=rank)


def move_choice(
    application: Application, block_id: int | None, *, offset: int, version: int | None, by: User
) -> None:
    """Move a ranked block up (offset -1) or down (+1) by one place."""
    application = _editable(application, version)
    ordered = sorted(application.choices, key=lambda c: c.rank)
    index = next((i for i, c in enumerate(ordered) if c.block_id == block_id), None)
    if index is None:
        raise RuleViolation("That block is not in your list any more.")
    target = index + offset
    if not 0 <= target < len(ordered):
        return  # already first (or last): nothing to do
    ordered[index], ordered[target] = ordered[target], ordered[index]
    _renumber(application, ordered)
    _touch(application)
    db.session.flush()
    record_event(
        "application.choice_move", by=by, target=application, block_id=block_id, rank=target + 1
    )


def remove_choice(
    application: Application, block_id: int | None, *, version: int | None, by: User
) -> None:
    """Take a block off the list; the blocks after it move up."""
    application = _editable(application, version)
    choice = next((c for c in application.choices if c.block_id == block_id), None)
    if choice is None:
        raise RuleViolation("That block is not in your list any more.")
    application.choices.remove(choice)
    db.session.flush()
    _renumber(application, sorted(application.choices, key=lambda c: c.rank))
    _touch(application)
    db.session.flush()
    record_event("application.choice_remove", by=by, target=application, block_id=block_id)


def save_statement(application: Application, text: str, *, version: int | None, by: User) -> int:
    """Save the personal statement as it is (over the limit too) and return its word count.

    A draft keeps whatever the student wrote; the word limit is enforced at submission,
    and the page says at once how many words to cut.
    """
    application = _editable(application, version)
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > MAX_STATEMENT_CHARACTERS:
        raise RuleViolation(
            f"A statement can be at most {MAX_STATEMENT_CHARACTERS:,} characters long.",
            field="personal_statement",
        )
    words = count_words(text)
    if text != application.personal_statement:
        application.personal_statement = text
        _touch(application)
        db.session.flush()
        record_event("application.statement", by=by, target=application, words=words)
    return words
