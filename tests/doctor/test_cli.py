"""`flask doctor` prints each violation and exits non-zero when one is found; the demo has none."""

from __future__ import annotations

from clerkship.applications.models import ApplicationState
from clerkship.doctor.queries import INVARIANTS, all_violations
from clerkship.extensions import db
from tests.factories import make_application


def test_doctor_exits_zero_when_every_invariant_holds(app):
    result = app.test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == 0
    assert result.output == f"doctor: all {len(INVARIANTS)} invariants hold.\n"


def test_doctor_prints_the_violation_and_exits_one(app):
    application = make_application(state=ApplicationState.OFFERED)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"offered_without_pending_offer: application {application.id}: is Offered but has no "
        "pending offer. Repair: Make an offer for a held placement, or move the application "
        "back to Waitlisted.",
        f"doctor: 1 violations of {len(INVARIANTS)} invariants.",
    ]


def test_demo_season_breaks_no_invariant(app, demo_season):
    assert demo_season.splitlines()[-1] == f"doctor: all {len(INVARIANTS)} invariants hold."
    assert all_violations() == []
