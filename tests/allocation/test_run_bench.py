"""The allocation-run benchmark seeds what it claims and times a run that places everyone."""

from __future__ import annotations

from sqlalchemy import func, select

from clerkship.allocation.models import AllocationRun, RunPlacement
from clerkship.applications.models import Application, ApplicationChoice
from clerkship.bench.allocation_run import _bench_app, time_run
from clerkship.cycles.models import Block
from clerkship.extensions import db


def test_allocation_run_bench_seeds_the_department_and_times_whole_runs():
    bench, scores = _bench_app(400)
    with bench.app_context():
        blocks = db.session.scalars(select(Block)).all()
        assert len(blocks) == 12 and len({b.starts_on.month for b in blocks}) == 12
        assert all(2 <= b.capacity <= 8 and 1 <= b.reserved <= 2 for b in blocks)
        ranked = db.session.execute(
            select(ApplicationChoice.application_id, func.count()).group_by(
                ApplicationChoice.application_id
            )
        ).all()
        assert len(ranked) == len(scores) == 400
        assert all(3 <= n <= 8 for _a, n in ranked)
        pathway = db.session.scalar(select(func.count()).where(Application.in_pathway))
        assert 40 <= pathway <= 120
        db.session.remove()
    samples = time_run(bench, scores, repeats=2)
    assert len(samples) == 2 and all(s > 0 for s in samples)
    with bench.app_context():
        # Each repetition deletes its run: the database is as seeded.
        assert db.session.scalar(select(func.count(AllocationRun.id))) == 0
        assert db.session.scalar(select(func.count(RunPlacement.id))) == 0
        db.session.remove()
