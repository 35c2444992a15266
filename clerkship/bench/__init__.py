"""Benchmarks: each suite module exposes ``run(app) -> list[Measurement]``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Measurement:
    """One measured figure against its target."""

    figure: str
    target: str
    measured: str
    met: bool
