"""Start-up benchmark: `create_app()` in a fresh interpreter, with and without cached bytecode.

Each run is a new Python process that times ``from clerkship import create_app;
create_app()`` itself (the interpreter's own start is not counted). "Bytecode cached" runs
with a private ``PYTHONPYCACHEPREFIX`` filled by a first, untimed run: every module,
clerkship's and the libraries', is read from bytecode. "clerkship compiled" runs a fresh
copy of the package with ``PYTHONDONTWRITEBYTECODE=1``, as on machines that set it: the
libraries come from their installed bytecode, clerkship's modules are compiled each time.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess  # nosec B404
import sys
import tempfile
from pathlib import Path

from clerkship.bench import Measurement

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TARGET = 0.4  # seconds, bytecode cached

TIMER = (
    "import time; start = time.perf_counter(); "
    "from clerkship import create_app; create_app(); "
    "print(time.perf_counter() - start)"
)


def run(app) -> list[Measurement]:
    """Both figures; ``app`` is unused (each run starts its own interpreter)."""
    with tempfile.TemporaryDirectory(prefix="clerkship-startup-") as folder:
        env = _environment(Path(folder) / "instance")
        cached = dict(env, PYTHONPYCACHEPREFIX=str(Path(folder) / "pycache"))
        cached.pop("PYTHONDONTWRITEBYTECODE", None)
        _create_app_seconds(PROJECT_ROOT, cached)  # fills the cache
        warm = statistics.median(_create_app_seconds(PROJECT_ROOT, cached) for _ in range(5))

        copy = Path(folder) / "source"
        shutil.copytree(
            PROJECT_ROOT / "clerkship",
            copy / "clerkship",
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        compiled = dict(env, PYTHONDONTWRITEBYTECODE="1")
        cold = statistics.median(_create_app_seconds(copy, compiled) for _ in range(3))
    load = os.getloadavg()[0]
    return [
        Measurement(
            figure="create_app() in a fresh interpreter, bytecode cached (median of 5)",
            target=f"< {TARGET} s",
            measured=f"{warm:.2f} s (load average {load:.1f})",
            met=warm < TARGET,
        ),
        Measurement(
            figure="create_app(), clerkship's modules compiled (PYTHONDONTWRITEBYTECODE=1, median of 3)",
            target="-",
            measured=f"{cold:.2f} s (load average {load:.1f})",
            met=True,
        ),
    ]


def _environment(instance: Path) -> dict[str, str]:
    """The current environment with a throwaway instance folder and database."""
    instance.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["CLERKSHIP_INSTANCE_PATH"] = str(instance)
    env["DATABASE_URL"] = f"sqlite:///{instance}/startup.db"
    return env


def _create_app_seconds(folder: Path, env: dict[str, str]) -> float:
    """create_app()'s own time in a new interpreter started in folder."""
    # This very interpreter, on a fixed program: nothing untrusted.
    done = subprocess.run(  # noqa: S603  # nosec B603
        [sys.executable, "-c", TIMER], cwd=folder, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"create_app() failed:\n{done.stderr}")
    return float(done.stdout.strip().splitlines()[-1])
