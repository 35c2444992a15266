"""The run page reads the preview kept with the run: its cost does not grow with the season."""

from __future__ import annotations

import re

from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.allocation import previews, queries, services
from clerkship.allocation.models import AllocationRun
from clerkship.applications.models import Application
from clerkship.extensions import db
from tests import factories
from tests.conftest import login


def _season(n: int, slug: str = "surgery", cycle=None):
    """A department of two small blocks (2 seats each) and n applicants ranking both."""
    department = factories.make_department(slug=slug)
    cycle = cycle or factories.make_cycle()
    rotation = factories.make_rotation(department)
    blocks = [
        factories.make_block(rotation, cycle, month=m, capacity=2, reserved=1) for m in (7, 8)
    ]
    director = factories.make_user((Role.DIRECTOR, department))
    for i in range(n):
        factories.make_applicant(department, cycle, blocks=blocks, in_pathway=i % 3 == 0)
    db.session.commit()
    return department, cycle, blocks, director


def _start(client, cycle, director, slug: str = "surgery") -> AllocationRun:
    login(client, director)
    response = client.post(f"/departments/{slug}/allocation/runs?cycle={cycle.slug}")
    assert response.status_code == 302
    db.session.rollback()
    return db.session.scalars(select(AllocationRun).order_by(AllocationRun.id.desc())).first()


def _unplaced_rows(page: str) -> int:
    section = re.search(r'id="unplaced-title".*?</section>', page, re.S).group(0)
    return len(re.findall(r"<tr><td>", section))


def test_run_page_queries_and_rows_do_not_grow_from_20_to_200_applications(client, queries):
    cycle = factories.make_cycle()

    def measured(n: int) -> tuple[int, int, int]:
        slug = f"surgery-{n}"
        _department, _cycle, _blocks, director = _season(n, slug, cycle)
        run = _start(client, cycle, director, slug)
        with queries() as q:
            response = client.get(f"/allocation/runs/{run.id}")
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert f"{n}, of whom 4 placed and {n - 4} unplaced" in page
        return q.count, _unplaced_rows(page), page.count("<option")

    small, large = measured(20), measured(200)
    assert small[0] == large[0]  # the same statements
    assert (small[1], large[1]) == (16, previews.PAGE)  # the unplaced list is paged
    assert small[2] == large[2]  # no list of every student in the forms


def test_run_keeps_its_preview_and_refreshes_it_after_an_adjustment(client):
    _department, cycle, blocks, director = _season(6)
    run = _start(client, cycle, director)
    assert run.preview == previews.summarize(run)[0]
    assert (run.preview["placed"], run.preview["unplaced_count"]) == (4, 2)
    moved = db.session.get(Application, run.preview["unplaced"][0][0])
    services.move_student(run, moved, None, by=director)  # already unplaced: nothing changes
    placed = next(p for p in run.placements)
    services.move_student(run, placed.application, None, by=director)
    db.session.commit()
    assert (run.preview["placed"], run.preview["unplaced_count"]) == (3, 3)
    assert run.preview == previews.summarize(run)[0]
    assert run.preview_lists == previews.summarize(run)[1]
    # The page's fingerprint is the stored one, and still refuses a stale change.
    assert queries.fingerprint(run, run.preview["digest"]) == queries.fingerprint(run)


def test_run_page_pages_through_a_blocks_students_and_the_unplaced(client):
    _department, cycle, blocks, director = _season(60)
    run = _start(client, cycle, director)
    page = client.get(f"/allocation/runs/{run.id}?list=block&block={blocks[0].id}").get_data(
        as_text=True
    )
    listed = re.search(r'id="list-title".*?</section>', page, re.S).group(0)
    names = {p.application.student.full_name for p in run.placements if p.block_id == blocks[0].id}
    assert len(names) == 2 and all(name in listed for name in names)
    second = client.get(f"/allocation/runs/{run.id}?list=unplaced&page=2").get_data(as_text=True)
    listed = re.search(r'id="list-title".*?</section>', second, re.S).group(0)
    assert "Unplaced students (56), page 2 of 2" in listed
    assert len(re.findall(r"<tr><td>", listed)) == 56 - previews.PAGE
    last = run.preview_lists["unplaced"][-1]
    assert f"<tr><td>{last[1]}</td><td>{last[0]}</td>" in listed


def test_run_page_refuses_an_unknown_list(client):
    _department, cycle, _blocks, director = _season(3)
    run = _start(client, cycle, director)
    assert client.get(f"/allocation/runs/{run.id}?list=everyone").status_code == 400
