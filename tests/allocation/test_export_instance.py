"""``flask allocation export-instance``: a department's current inputs, solvable as they are."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.allocation.engine import Precedence, solve
from clerkship.allocation.interchange import load_instance
from clerkship.applications.models import ApplicationState
from clerkship.audit.models import AuditEvent
from clerkship.extensions import db
from clerkship.reviews.queries import application_scores
from tests import factories


def test_export_instance_writes_scores_flags_rankings_and_seats(app, tmp_path):
    department = factories.make_department(slug="emergency-medicine")
    cycle = factories.make_cycle()
    rotation = factories.make_rotation(department)
    july = factories.make_block(rotation, cycle, month=7, capacity=3, reserved=1)
    august = factories.make_block(rotation, cycle, month=8, capacity=2, reserved=0)
    reviewer = factories.make_user((Role.REVIEWER, department))
    review_round = factories.make_review_round(department, cycle)
    rubric = factories.make_rubric(review_round)
    scored = factories.make_applicant(department, cycle, in_pathway=True, blocks=[august, july])
    factories.make_review(
        factories.make_assignment(review_round, scored, reviewer), rubric, [5, 4, 3]
    )
    unscored = factories.make_applicant(department, cycle, blocks=[july])
    factories.make_applicant(department, cycle, state=ApplicationState.WITHDRAWN, blocks=[july])
    db.session.commit()
    out = tmp_path / "em.json"

    result = app.test_cli_runner().invoke(
        args=[
            "allocation",
            "export-instance",
            "--department",
            "emergency-medicine",
            "--cycle",
            cycle.slug,
            "-o",
            str(out),
        ]
    )

    assert result.exit_code == 0, result.output
    assert (
        f"Wrote 2 blocks and 2 students of {department.name}, {cycle.name} to {out}."
        in result.output
    )
    data = json.loads(out.read_text(encoding="utf-8"))
    score = float(application_scores(department, cycle)[scored.id])
    assert score > 0
    assert data["blocks"] == [
        {"id": f"{july.id:08d}", "capacity": 3, "reserved": 1},
        {"id": f"{august.id:08d}", "capacity": 2, "reserved": 0},
    ]
    assert data["students"] == [
        {
            "id": f"{scored.id:08d}",
            "uim": True,
            "score": score,
            "ranking": [f"{august.id:08d}", f"{july.id:08d}"],
        },
        {"id": f"{unscored.id:08d}", "uim": False, "score": 0.0, "ranking": [f"{july.id:08d}"]},
    ]
    assert data["unscored"] == [f"{unscored.id:08d}"]
    # The file is an instance the solve command accepts as it is.
    instance = load_instance(out.read_bytes())
    allocation = solve(instance.blocks, instance.students, precedence=Precedence.OPEN_FIRST)
    assert allocation.assignment[f"{scored.id:08d}"] == f"{august.id:08d}"
    db.session.rollback()
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "allocation.export_instance")
    ).one()
    assert str(out) in event.summary
    assert Decimal(str(score)) == application_scores(department, cycle)[scored.id]


def test_export_instance_names_an_unknown_department_or_cycle(app, tmp_path):
    cycle = factories.make_cycle()
    factories.make_department(slug="surgery")
    db.session.commit()
    runner = app.test_cli_runner()
    out = tmp_path / "x.json"
    missing = runner.invoke(
        args=[
            "allocation",
            "export-instance",
            "--department",
            "nope",
            "--cycle",
            cycle.name,
            "-o",
            str(out),
        ]
    )
    assert missing.exit_code == 1 and "No department has the slug 'nope'." in missing.output
    wrong = runner.invoke(
        args=[
            "allocation",
            "export-instance",
            "--department",
            "surgery",
            "--cycle",
            "1999",
            "-o",
            str(out),
        ]
    )
    assert (
        wrong.exit_code == 1 and f"No cycle is named '1999' (cycles: {cycle.name})." in wrong.output
    )
    assert not out.exists()
