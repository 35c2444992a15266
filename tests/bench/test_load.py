"""The load benchmark's arithmetic: figures per page, targets, growth (no server started)."""

from __future__ import annotations

from clerkship.bench import load


def _figures(p50: float, queries: int = 5, errors: int = 0, p95: float | None = None) -> dict:
    return {
        "requests": 100,
        "rps": 1000 / p50,
        "p50": p50,
        "p95": p95 if p95 is not None else p50 * 2,
        "p99": p50 * 3,
        "queries": queries,
        "errors": errors,
    }


def test_summarize_gives_percentiles_queries_and_errors():
    report = {
        "page": "catalogue",
        "level": 1,
        "wall_seconds": 2.0,
        "results": [(200, s / 1000, 4) for s in range(1, 101)] + [(500, 0.5, 4)],
    }
    figures = load.summarize(report)
    assert figures["requests"] == 101 and round(figures["rps"], 1) == 50.5
    assert (figures["p50"], figures["queries"], figures["errors"]) == (51.0, 4, 1)
    assert figures["p95"] == 96.0 and figures["p99"] == 100.0


def test_measurements_hold_each_page_to_its_targets_and_growth():
    large = {
        ("static file (floor)", 1): _figures(1.0, 0),
        ("catalogue", 1): _figures(20.0),
        ("catalogue", 8): _figures(60.0, p95=120.0),
        ("review ranking", 1): _figures(40.0),
        ("review ranking", 8): _figures(200.0, p95=700.0),
    }
    small = {("catalogue", 1): _figures(18.0), ("review ranking", 1): _figures(20.0, 4)}
    rows = {m.figure: m for m in load.measurements(large, small, 5000)}
    assert rows["catalogue, 5,000 applications, c=1"].met
    assert rows["catalogue: growth 500 -> 5,000 applications, c=1"].met
    assert not rows["review ranking, 5,000 applications, c=1"].met  # 40x the floor
    assert not rows["review ranking, 5,000 applications, c=8"].met  # p95 700 ms
    growth = rows["review ranking: growth 500 -> 5,000 applications, c=1"]
    assert not growth.met and "(2.00x)" in growth.measured and "queries 4 -> 5" in growth.measured


def test_growth_compares_the_samples_taken_in_turn_when_there_are_some():
    large = {("static file (floor)", 1): _figures(1.0, 0), ("catalogue", 1): _figures(30.0)}
    small = {("catalogue", 1): _figures(20.0)}
    alternated = {("catalogue", 1): _figures(22.0)}
    rows = {m.figure: m for m in load.measurements(large, small, 5000, alternated)}
    growth = rows["catalogue: growth 500 -> 5,000 applications, c=1"]
    assert growth.met and "20.0 -> 22.0 ms (1.10x)" in growth.measured
    assert "p50 30.0" in rows["catalogue, 5,000 applications, c=1"].measured


def test_class_sign_in_is_held_to_its_p95_and_rate_and_the_readers_to_theirs():
    slow_class = _figures(300.0, p95=1200.0)
    large = {
        ("static file (floor)", 1): _figures(1.0, 0),
        (load.CLASS_SIGN_IN, 8): {**_figures(200.0, p95=600.0), "requests": 150},
        (f"catalogue {load.DURING}", 8): _figures(50.0, p95=300.0),
        (f"review ranking {load.DURING}", 8): _figures(90.0, p95=520.0),
    }
    rows = {m.figure: m for m in load.measurements(large, {}, 5000)}
    assert rows[f"{load.CLASS_SIGN_IN} (15 s), 5,000 applications, 8 readers"].met
    assert rows[f"catalogue {load.DURING}, 5,000 applications, c=8"].met
    assert not rows[f"review ranking {load.DURING}, 5,000 applications, c=8"].met
    large[(load.CLASS_SIGN_IN, 8)] = slow_class  # p95 over 1 s, and 100 of 150 sign-ins
    rows = {m.figure: m for m in load.measurements(large, {}, 5000)}
    assert not rows[f"{load.CLASS_SIGN_IN} (15 s), 5,000 applications, 8 readers"].met


def test_summarize_counts_a_refused_class_sign_in_as_an_error():
    report = {
        "page": load.CLASS_SIGN_IN,
        "level": 8,
        "wall_seconds": 15.0,
        "results": [(302, 0.05, -1)] * 149 + [(429, 0.01, -1)],
    }
    figures = load.summarize(report)
    assert (figures["requests"], figures["errors"], figures["queries"]) == (150, 1, None)
