"""The benchmarks' query-count header: off by default, refused on a production site."""

from __future__ import annotations

from pathlib import Path

import pytest

from clerkship import create_app
from clerkship.extensions import db


def _app(tmp_path: Path, monkeypatch, **config):
    monkeypatch.setenv("CLERKSHIP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return create_app({"TESTING": True, **config})


def test_responses_carry_no_query_count_by_default(tmp_path, monkeypatch):
    app = _app(tmp_path, monkeypatch)
    with app.app_context():
        db.create_all()
    assert "X-Query-Count" not in app.test_client().get("/catalogue").headers


def test_bench_header_counts_the_statements_of_each_request(tmp_path, monkeypatch):
    app = _app(tmp_path, monkeypatch, BENCH_QUERY_HEADER=True)
    with app.app_context():
        db.create_all()
    client = app.test_client()
    counts = [int(client.get("/catalogue").headers["X-Query-Count"]) for _ in range(2)]
    assert counts[0] == counts[1] and counts[0] > 0
    assert client.get("/static/clerkship.css").headers["X-Query-Count"] == "0"


def test_production_refuses_the_bench_header_outside_a_local_benchmark(tmp_path, monkeypatch):
    site = {
        "ENV_NAME": "production",
        "SECRET_KEY": "x" * 40,
        "BENCH_QUERY_HEADER": True,
        "SINGLE_PROCESS": True,
    }
    with pytest.raises(RuntimeError, match="BENCH_QUERY_HEADER"):
        _app(tmp_path, monkeypatch, BASE_URL="https://clerkship.school.example.edu", **site)
    assert _app(tmp_path, monkeypatch, BASE_URL="http://127.0.0.1:8123", **site)
