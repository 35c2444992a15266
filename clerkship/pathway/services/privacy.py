"""Reading self-identification answers: every view is audited, exports carry what the role may see."""

from __future__ import annotations

from sqlalchemy import select

from clerkship.accounts.models import User
from clerkship.applications.models import Application
from clerkship.audit.services import record_event
from clerkship.cycles.models import Cycle, Department
from clerkship.extensions import db
from clerkship.pathway import queries
from clerkship.pathway.models import SelfIdentification


def record_answers_view(student: User, cycle: Cycle, *, by: User, context: str) -> None:
    """Write the audit event every view of a student's answers leaves (docs/design.md, "The UIM pathway", rule 5)."""
    answers = queries.self_identification(student, cycle)
    record_event(
        queries.ANSWERS_VIEWED,
        by=by,
        target=answers,
        subject=student,
        summary=f"{cycle.name}: {context}",
        context=context,
        cycle=cycle.slug,
    )
    db.session.flush()


def export_pathway_values(
    user: User, department: Department, applications: list[Application]
) -> dict[int, dict[str, object]]:
    """The pathway columns user may export for these applications of department, by application id.

    Answers appear only for the award committee and admins, and each student whose answers
    go into the export gets the audit event of a view (context "export").
    """
    columns = queries.visible_pathway_columns(user, department)
    values: dict[int, dict[str, object]] = {a.id: {} for a in applications}
    if not columns:
        return values
    answers = {}
    if queries.ANSWER_COLUMNS[0] in columns and applications:
        cycle_ids = {a.cycle_id for a in applications}
        rows = db.session.scalars(
            select(SelfIdentification).where(
                SelfIdentification.student_id.in_({a.student_id for a in applications}),
                SelfIdentification.cycle_id.in_(cycle_ids),
            )
        )
        answers = {(r.student_id, r.cycle_id): r for r in rows}
    viewed = set()
    for application in applications:
        row = values[application.id]
        row["in_pathway"] = application.in_pathway
        if queries.ANSWER_COLUMNS[0] not in columns:
            continue
        given = answers.get((application.student_id, application.cycle_id))
        row["self_identification"] = given.identifies.label if given else ""
        row["self_identification_categories"] = "; ".join(given.categories) if given else ""
        row["criteria_met"] = "; ".join(given.criteria) if given else ""
        key = (application.student_id, application.cycle_id)
        if key not in viewed:
            viewed.add(key)
            record_answers_view(application.student, application.cycle, by=user, context="export")
    return values
