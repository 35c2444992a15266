"""Benchmarks: each suite module exposes ``run(app) -> list[Measurement]``."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask


@dataclass(frozen=True)
class Measurement:
    """One measured figure against its target."""

    figure: str
    target: str
    measured: str
    met: bool


def init_app(app: Flask) -> None:
    """Register the feature's commands."""
    from clerkship.bench.cli import bench_cli

    app.cli.add_command(bench_cli)
