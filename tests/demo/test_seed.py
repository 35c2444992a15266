"""`flask demo seed` builds the demo season on an empty database and refuses a non-empty one."""

from __future__ import annotations

from sqlalchemy import func, select

from clerkship.accounts.models import Membership, Role, User
from clerkship.accounts.passwords import verify_password
from clerkship.awards.models import AwardApplication, AwardState
from clerkship.cycles.models import Block, Department
from clerkship.demo.data import DEMO_PASSWORD
from clerkship.documents.models import Document
from clerkship.documents.storage import upload_folder
from clerkship.extensions import db


def test_seed_builds_season_and_prints_logins(app, demo_season):
    assert "admin@keck.example.edu" in demo_season
    assert f"password of every demo account: {DEMO_PASSWORD}" in demo_season
    names = db.session.scalars(select(Department.name).order_by(Department.name)).all()
    assert names == ["Emergency Medicine", "Internal Medicine", "Pediatrics", "Psychiatry"]
    for block in db.session.scalars(select(Block)):
        assert 2 <= block.capacity <= 8 and 1 <= block.reserved <= 2
        assert 7 <= block.starts_on.month <= 12
    students = db.session.scalar(
        select(func.count(Membership.id))
        .join(User, User.id == Membership.user_id)
        .where(Membership.role == Role.STUDENT, ~User.email.like("synthetic.%"))
    )
    assert students == 36  # besides the past seasons' synthetic applicants (demo/outcomes.py)
    for department in db.session.scalars(select(Department)):
        for role in (Role.DIRECTOR, Role.COORDINATOR, Role.REVIEWER):
            holders = db.session.scalar(
                select(func.count(Membership.id)).where(
                    Membership.role == role, Membership.department_id == department.id
                )
            )
            assert holders >= 1
    admin = db.session.scalar(select(User).where(User.email == "admin@keck.example.edu"))
    assert verify_password(admin.password_hash, DEMO_PASSWORD)


def test_seed_refuses_non_empty_database_unless_reset(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["demo", "seed"])
    refused = runner.invoke(args=["demo", "seed"])
    assert refused.exit_code == 1
    assert "The database is not empty" in refused.output
    kept = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert kept.exit_code == 0 and "leaving it as it is" in kept.output
    folder = upload_folder()  # shared by the tests of a session: look at this season's files
    first_files = set(db.session.scalars(select(Document.stored_name)))
    assert first_files and all((folder / name).is_file() for name in first_files)
    again = runner.invoke(args=["demo", "seed", "--reset"])
    assert again.exit_code == 0, again.output
    assert f"Removed {len(first_files)} uploaded files of the previous data." in again.output
    assert db.session.scalar(select(func.count(Department.id))) == 4
    db.session.rollback()
    stored = set(db.session.scalars(select(Document.stored_name)))
    assert stored and all((folder / name).is_file() for name in stored)
    assert not any((folder / name).exists() for name in first_files)


def test_seed_scale_adds_synthetic_students(app, demo_season_at_scale):
    assert "336 students" in demo_season_at_scale


def test_seed_gives_every_department_an_application_in_every_state(app, demo_season):
    from clerkship.applications.models import Application, ApplicationState, StudentProfile
    from clerkship.documents.inspection import is_readable_pdf
    from clerkship.documents.models import Document
    from clerkship.documents.storage import document_path

    for department in db.session.scalars(select(Department)):
        states = set(
            db.session.scalars(
                select(Application.state).where(Application.department_id == department.id)
            )
        )
        assert states == set(ApplicationState), department.name
    assert db.session.scalar(select(func.count(StudentProfile.id))) == 36
    documents = db.session.scalars(select(Document)).all()
    assert len(documents) >= 36 * 6
    assert all(is_readable_pdf(document_path(d)) for d in documents[:10])
    timeline = db.session.scalar(
        select(Application)
        .where(Application.state == ApplicationState.COMPLETED)
        .order_by(Application.id)  # the named demo student's, walked through every step
    ).events
    assert [e.to_state.value for e in timeline] == [
        "draft",
        "submitted",
        "under_review",
        "offered",
        "accepted",
        "completed",
    ]


def test_seed_scale_puts_n_applications_in_emergency_medicine(app, demo_season_at_scale):
    from clerkship.applications.models import Application

    em = db.session.scalar(select(Department).where(Department.slug == "emergency-medicine"))
    synthetic = db.session.scalar(
        select(func.count(Application.id))
        .join(User, User.id == Application.student_id)
        .where(Application.department_id == em.id, User.email.like("synthetic.student%"))
    )
    assert synthetic == 300


def test_demo_at_scale_gives_synthetic_students_award_applications(app, demo_season_at_scale):
    submitted = db.session.scalar(
        select(func.count(AwardApplication.id)).where(
            AwardApplication.state == AwardState.SUBMITTED
        )
    )
    assert submitted == 2 + 30  # the demo's two, and one in ten of 300 synthetic students
