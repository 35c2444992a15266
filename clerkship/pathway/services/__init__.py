"""Every change to the pathway: its definition, students' answers, the flags, directors' decisions."""

from __future__ import annotations

from sqlalchemy import select, update

from clerkship.accounts.models import User
from clerkship.applications.models import Application
from clerkship.applications.signals import application_started, pathway_flag_changed
from clerkship.audit.services import record_event
from clerkship.core.rules import RuleViolation
from clerkship.core.urls import external_url
from clerkship.cycles.models import Cycle
from clerkship.extensions import db
from clerkship.outbox.services import queue_email
from clerkship.pathway import queries
from clerkship.pathway.models import (
    FlagDecision,
    Identification,
    PathwayConfig,
    PathwayDecision,
    SelfIdentification,
)
from clerkship.pathway.rules import effective_flag


def _refuse_closed(cycle: Cycle) -> None:
    if cycle.closed_at is not None:
        raise RuleViolation(f"The {cycle.name} cycle is closed; its pathway can no longer change.")


def _lock_cycle(cycle: Cycle) -> None:
    # Serialises changes of the definition with students' answers to it: an answer is never
    # given to a version that is being edited in place, and version numbers never collide.
    db.session.execute(select(Cycle.id).where(Cycle.id == cycle.id).with_for_update())


def ensure_config(cycle: Cycle, *, by: User | None) -> PathwayConfig:
    """The cycle's current definition, saving the AAMC default as version 1 if none exists."""
    _lock_cycle(cycle)
    config = queries.config_or_default(cycle)
    if config.id is None:
        config.created_by = by
        db.session.add(config)
        db.session.flush()
    return config


def save_pathway_config(
    cycle: Cycle, *, definition: str, categories: list[str], criteria: list[str], by: User
) -> tuple[PathwayConfig, int]:
    """Change the definition: in place while nobody applied or answered, else as a new version.

    Returns the current version and how many students' answers stay with the previous one
    (0 when edited in place or unchanged).
    """
    _refuse_closed(cycle)
    _lock_cycle(cycle)
    values = {"definition": definition, "categories": categories, "criteria": criteria}
    current = queries.current_config(cycle)
    if current is None and queries.has_applications(cycle):
        # Students have applied under the unsaved default: keep it as version 1.
        current = ensure_config(cycle, by=by)
    if current is not None and all(getattr(current, k) == v for k, v in values.items()):
        return current, 0
    if current is None:
        config = PathwayConfig(cycle=cycle, number=1, created_by=by, **values)
        db.session.add(config)
        record_event("pathway.config.create", by=by, target=cycle, summary="Version 1")
        db.session.flush()
        return config, 0
    answered = queries.answers_per_version(cycle).get(current.id, 0)
    if answered or queries.has_applications(cycle):
        # Answers keep the version they were given under, so their meaning never changes.
        config = PathwayConfig(cycle=cycle, number=current.number + 1, created_by=by, **values)
        db.session.add(config)
        record_event(
            "pathway.config.version",
            by=by,
            target=cycle,
            summary=f"Version {config.number}; {answered} answer(s) stay with version "
            f"{current.number}",
            number=config.number,
            answers_on_previous=answered,
        )
        db.session.flush()
        return config, answered
    for name, value in values.items():
        setattr(current, name, value)
    record_event("pathway.config.update", by=by, target=cycle, summary=f"Version {current.number}")
    db.session.flush()
    return current, 0


def save_self_identification(
    student: User,
    cycle: Cycle,
    *,
    identifies: Identification,
    categories: list[str],
    criteria: list[str],
    version: str | None,
    by: User,
) -> SelfIdentification:
    """Keep a student's optional answers (against the current definition) and refresh their flags."""
    _refuse_closed(cycle)
    config = ensure_config(cycle, by=by)
    unknown = [c for c in categories if c not in config.categories]
    if unknown:
        raise RuleViolation("Choose categories from the list.", field="categories")
    if [c for c in criteria if c not in config.criteria]:
        raise RuleViolation("Choose criteria from the list.", field="criteria")
    if categories and identifies is not Identification.YES:
        raise RuleViolation(
            "The categories describe a Yes answer: answer Yes above, or untick them.",
            field="categories",
        )
    answers = queries.self_identification(student, cycle)
    if answers is not None and str(answers.version) != (version or ""):
        raise RuleViolation(
            "Your answers were changed in another window after you opened this page. Your "
            "choices are kept below; check them and save again."
        )
    if answers is None:
        answers = SelfIdentification(student=student, cycle=cycle)
        db.session.add(answers)
    answers.config = config
    answers.identifies = identifies
    answers.categories = categories
    answers.criteria = criteria
    # The event names no answer: the audit log is not a second copy of them.
    record_event("pathway.answers_saved", by=by, target=cycle, subject=student)
    db.session.flush()
    refresh_pathway_flags(student, cycle, by=by)
    return answers


def remove_self_identification(answers: SelfIdentification, *, by: User) -> None:
    """Delete a student's answers and refresh their flags."""
    _refuse_closed(answers.cycle)
    student, cycle = answers.student, answers.cycle
    db.session.delete(answers)
    record_event("pathway.answers_removed", by=by, target=cycle, subject=student)
    db.session.flush()
    refresh_pathway_flags(student, cycle, by=by)


def refresh_pathway_flags(student: User, cycle: Cycle, *, by: User | None) -> list[Application]:
    """Set Application.in_pathway on each of the student's applications in cycle; return the changed.

    Call after anything that can change a flag: an application created, an award application
    submitted or withdrawn, answers saved or removed, a director's decision. A closed
    cycle's flags are history and stay as they are.
    """
    if cycle.closed_at is not None:
        return []
    # Lock the student's applications first, so two refreshes of one student run one after
    # the other and the second reads what the first committed.
    ids = list(
        db.session.scalars(
            select(Application.id)
            .where(Application.student_id == student.id, Application.cycle_id == cycle.id)
            .order_by(Application.id)
            .with_for_update()
        )
    )
    if not ids:
        return []
    automatic = queries.basis(student, cycle).automatic
    decisions = queries.latest_decisions(ids)
    applications = db.session.scalars(
        select(Application)
        .where(Application.id.in_(ids))
        .order_by(Application.id)
        .execution_options(populate_existing=True)
    ).all()
    changed, targets = [], {True: [], False: []}
    for application in applications:
        decision = decisions.get(application.id)
        flag = effective_flag(automatic, decision.decision if decision else None)
        if application.in_pathway != flag:
            changed.append(application)
            targets[flag].append(application.id)
            record_event(
                "pathway.flag_on" if flag else "pathway.flag_off",
                by=by,
                target=application,
                subject=student,
                summary=f"{application.department.name}: "
                + ("in the UIM pathway" if flag else "not in the UIM pathway"),
            )
    for flag, ids_to_set in targets.items():
        if ids_to_set:
            # A bulk UPDATE, not an ORM change: the flag is not the student's content, so
            # it must not make their open application form stale (version counter).
            db.session.execute(
                update(Application).where(Application.id.in_(ids_to_set)).values(in_pathway=flag)
            )
    db.session.flush()
    for application in changed:
        db.session.expire(application, ["in_pathway"])  # read the new flag from the row
        pathway_flag_changed.send(application, by=by)  # e.g. reserved interview days follow it
    return changed


@application_started.connect
def _on_application_started(application: Application, *, by: User | None) -> None:
    """A new application takes the student's pathway flag at once."""
    refresh_pathway_flags(application.student, application.cycle, by=by)


def decide_pathway_flag(
    application: Application,
    *,
    decision: FlagDecision,
    reason: str,
    version: str | None,
    by: User,
) -> PathwayDecision:
    """A director confirms or withdraws an application's flag (or returns it to the rule)."""
    _refuse_closed(application.cycle)
    reason = reason.strip()
    if not reason:
        raise RuleViolation("Write the reason for your decision.", field="reason")
    db.session.execute(
        select(Application.id).where(Application.id == application.id).with_for_update()
    )
    latest = queries.latest_decisions([application.id]).get(application.id)
    if str(latest.id if latest else 0) != (version or ""):
        raise RuleViolation(
            "Someone decided on this flag after you opened the page. Your reason is kept "
            "below; read the current decision and send yours again."
        )
    row = PathwayDecision(application=application, decision=decision, reason=reason, decided_by=by)
    db.session.add(row)
    db.session.flush()
    refresh_pathway_flags(application.student, application.cycle, by=by)
    record_event(
        f"pathway.decision.{decision.value}",
        by=by,
        target=application,
        subject=application.student,
        summary=f"{application.department.name}: {decision.label}",
        reason=reason[:1000],
    )
    queue_email(
        application.student.email,
        f"{application.department.name} visiting clerkship: UIM pathway",
        "pathway_decision",
        recipient=application.student,
        department=application.department,
        application=application,
        decision=decision,
        reason=reason,
        in_pathway=application.in_pathway,
        link=external_url("pathway.overview", cycle_slug=application.cycle.slug),
    )
    return row
