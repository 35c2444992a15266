"""The funnel against a season counted by hand, and suppression in every output."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from clerkship.applications.models import ApplicationState
from clerkship.awards.models import AwardState
from clerkship.core.time import utcnow
from clerkship.evaluations.models import EvaluationFormVersion, EvaluationState, RotationEvaluation
from clerkship.extensions import db
from clerkship.interviews.states import InvitationState
from clerkship.outcomes import queries, report, services
from clerkship.outcomes.models import ListKind
from clerkship.rotations.models import RotationState
from tests import factories
from tests.conftest import login

pytestmark = pytest.mark.usefixtures("app")


def _season():
    """6 pathway and 7 other submitted applications (and a draft) through every stage."""
    cycle = factories.make_cycle()
    department = factories.make_department()
    block = factories.make_block(
        factories.make_rotation(department), cycle, capacity=30, reserved=10
    )
    factories.make_award_settings(cycle)
    form = EvaluationFormVersion(
        department=department,
        number=1,
        title="Form",
        scale_low=1,
        scale_high=5,
        grades=["Pass", "Fail"],
    )
    season = factories.make_season(department, cycle)
    past_day = factories.make_day(season, days_ahead=-3)
    future_day = factories.make_day(season, days_ahead=10)
    db.session.add(form)
    apps = {True: [], False: []}
    for pathway, size in ((True, 6), (False, 7)):
        for n in range(size):
            student = factories.make_student()
            factories.make_profile(student, aamc_id=f"{(2 if pathway else 3)}{n:07d}")
            apps[pathway].append(
                factories.make_application(
                    student,
                    department,
                    cycle,
                    blocks=[block],
                    state=ApplicationState.SUBMITTED,
                    in_pathway=pathway,
                )
            )
    factories.make_application(department=department, cycle=cycle, blocks=[block], in_pathway=True)
    p, o = apps[True], apps[False]
    # awarded: 2 pathway (a third only submitted)
    factories.make_award_application(p[0], state=AwardState.AWARDED, amount=100_00)
    factories.make_award_application(p[1], state=AwardState.PAID, amount=100_00)
    factories.make_award_application(p[2], state=AwardState.SUBMITTED)
    # offered: 4 pathway, 3 other; rotated: 3 pathway (one more only arrived), 1 other ended early
    placements = {a.id: factories.make_placement(a, block) for a in p[:4] + o[:3]}
    for a in p[:3]:
        factories.make_rotation_record(placements[a.id], state=RotationState.COMPLETED)
    factories.make_rotation_record(placements[p[3].id])
    factories.make_rotation_record(placements[o[0].id], state=RotationState.ENDED_EARLY)
    # evaluated: 2 pathway (a third still a draft)
    for a, state in (
        (p[0], EvaluationState.FINALISED),
        (p[1], EvaluationState.SENT),
        (p[2], EvaluationState.DRAFT),
    ):
        final = state is not EvaluationState.DRAFT
        db.session.add(
            RotationEvaluation(
                placement=placements[a.id],
                form_version=form,
                state=state,
                grade="Pass" if final else "",
                finalised_at=utcnow() if final else None,
                sent_at=utcnow() if state is EvaluationState.SENT else None,
            )
        )
    # invited: 3 pathway, 2 other (a withdrawn one does not count)
    invitations = [factories.make_invitation(season, application=a) for a in p[:3] + o[:2]]
    factories.make_invitation(season, application=o[2], state=InvitationState.WITHDRAWN)
    # interviewed: on a day that has passed, 2 pathway and 1 other; a future booking does not count
    factories.make_booking(invitations[0], past_day)
    factories.make_booking(invitations[1], past_day)
    factories.make_booking(invitations[2], future_day)
    factories.make_booking(invitations[3], past_day)
    db.session.flush()
    return cycle, department, p, o


def _import(department, cycle, kind, text, by):
    preview = services.preview_list(department, cycle, kind, text.encode())
    services.replace_list(department, cycle, kind, preview, by=by)


def test_the_funnel_matches_the_hand_count():
    cycle, department, p, o = _season()
    admin = factories.make_user(factories.Role.ADMIN)
    _import(
        department,
        cycle,
        ListKind.RANK,
        "AAMC ID,Rank\n20000000,1\n20000001,2\n30000000,3\n",
        admin,
    )
    _import(department, cycle, ListKind.MATCH, "Email\n" + p[0].student.email + "\n", admin)
    counts = {c.in_pathway: c.counts for c in queries.funnel_counts([cycle.id])}
    assert counts[True] == dict(
        applied=6,
        awarded=2,
        offered=4,
        rotated=3,
        evaluated=2,
        invited=3,
        interviewed=2,
        ranked=2,
        matched=1,
    )
    assert counts[False] == dict(
        applied=7,
        awarded=0,
        offered=3,
        rotated=1,
        evaluated=0,
        invited=2,
        interviewed=1,
        ranked=1,
        matched=0,
    )


def test_the_report_hides_small_groups_and_their_complements():
    cycle, department, _p, _o = _season()
    built = report.build_report([cycle], [department], queries.funnel_counts([cycle.id]))
    funnel = {row["stage"]: row for row in built.funnel(cycle)}
    assert funnel["Applied"] == {"stage": "Applied", "pathway": 6, "other": 7, "all": 13}
    # 4 pathway and 3 others offered: both small, their total of 7 shown
    assert funnel["Offered a rotation"] == {
        "stage": "Offered a rotation",
        "pathway": None,
        "other": None,
        "all": 7,
    }
    # 3 rotated in the pathway, 1 not, 4 in all: everything hidden
    assert funnel["Rotated"] == {"stage": "Rotated", "pathway": None, "other": None, "all": None}


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": False}


def test_every_output_suppresses_small_groups(app, client):
    cycle, department, _p, _o = _season()
    admin = factories.make_user(factories.Role.ADMIN)
    db.session.commit()
    login(client, admin)
    page = client.get(f"/outcomes?cycle={cycle.slug}").get_data(as_text=True)
    assert "<td>fewer than 5</td><td>fewer than 5</td><td>7</td>" in page
    assert ">4<" not in page and ">3<" not in page
    rows = list(
        csv.reader(io.StringIO(client.get("/outcomes/download.csv").get_data(as_text=True)))
    )
    offered = [r for r in rows if r[1] == "All programs" and r[2] == "Offered a rotation"]
    assert offered == [
        [cycle.name, "All programs", "Offered a rotation", "fewer than 5", "fewer than 5", "7"]
    ]
    book = openpyxl.load_workbook(io.BytesIO(client.get("/outcomes/download.xlsx").data))
    cells = [[c.value for c in row] for row in book.active.iter_rows(min_row=2)]
    assert [
        cycle.name,
        department.name,
        "Rotated",
        "fewer than 5",
        "fewer than 5",
        "fewer than 5",
    ] in cells
    assert all(not (isinstance(v, int) and 0 < v < 5) for row in cells for v in row)
    assert all(v not in {"1", "2", "3", "4"} for row in cells for v in row[3:])


def _lines(built, cycle, stage, departments):
    """Every line of a stage's table: each row (pathway, other, all) and each column."""
    keys = [d.id for d in departments] + [report.INSTITUTION]
    rows = [[built.cell(cycle, stage, k, g) for g in ("pathway", "other", "all")] for k in keys]
    return rows + [list(column) for column in zip(*rows, strict=True)]


def test_a_hidden_program_cell_cannot_be_worked_out_from_the_institution_totals():
    cycle = factories.make_cycle()
    small = factories.make_department(name="Small program")
    large = factories.make_department(name="Large program")
    for department, pathway, other in ((small, 3, 10), (large, 6, 10)):
        for in_pathway, size in ((True, pathway), (False, other)):
            for _n in range(size):
                factories.make_application(
                    department=department,
                    cycle=cycle,
                    state=ApplicationState.SUBMITTED,
                    in_pathway=in_pathway,
                )
    departments = [large, small]
    built = report.build_report([cycle], departments, queries.funnel_counts([cycle.id]))
    assert built.cells[(cycle.id, "applied", small.id)] == {
        "pathway": None,
        "other": None,
        "all": 13,
    }
    assert built.cells[(cycle.id, "applied", large.id)] == {
        "pathway": None,
        "other": None,
        "all": 16,
    }
    assert built.cells[(cycle.id, "applied", report.INSTITUTION)] == {
        "pathway": 9,
        "other": 20,
        "all": 29,
    }
    for line in _lines(built, cycle, "applied", departments):
        assert sum(value is None for value in line) != 1, line


def test_a_director_sees_only_the_department_slice(client):
    cycle, department, _p, _o = _season()
    other = factories.make_department(name="Other program")
    director = factories.make_user((factories.Role.DIRECTOR, department))
    db.session.commit()
    login(client, director)
    page = client.get(f"/departments/{department.slug}/outcomes?cycle={cycle.slug}").get_data(
        as_text=True
    )
    assert f"Outcomes: {department.name}" in page
    assert "programs-table" not in page and other.name not in page
    assert "Download CSV" not in page
    assert client.get("/outcomes").status_code == 403
    assert client.get(f"/departments/{other.slug}/outcomes").status_code == 403
