"""`flask demo seed --scale N` as a whole command, then `flask doctor` on what it wrote.

Both run as commands in fresh interpreters on a throwaway SQLite database migrated with
`flask db upgrade`. The seed writes the --scale part of the season partly in bulk (README,
"Benchmarks"); the doctor must then find every invariant holding.
"""

from __future__ import annotations

import os
import subprocess  # nosec B404
import sys
import tempfile
import time
from pathlib import Path

from clerkship.bench import Measurement

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TARGET = 60.0  # seconds, at --scale 5000


def run(app, scale: int = 5000) -> list[Measurement]:
    """The seed's wall time and the doctor's verdict; ``app`` is unused."""
    with tempfile.TemporaryDirectory(prefix="clerkship-demo-seed-") as folder:
        env = dict(os.environ)
        env["CLERKSHIP_INSTANCE_PATH"] = folder
        env["DATABASE_URL"] = f"sqlite:///{folder}/demo.db"
        env["CLERKSHIP_UPLOAD_FOLDER"] = f"{folder}/uploads"
        _flask(env, "db", "upgrade")
        start = time.perf_counter()
        _flask(env, "demo", "seed", "--scale", str(scale))
        seconds = time.perf_counter() - start
        load = os.getloadavg()[0]
        doctor = _flask(env, "doctor", check=False)
    clean = doctor.returncode == 0
    verdict = doctor.stdout.strip().splitlines()[-1] if doctor.stdout.strip() else doctor.stderr
    return [
        Measurement(
            figure=f"flask demo seed --scale {scale:,} (whole command, its own doctor included)",
            target=f"< {TARGET:.0f} s",
            measured=f"{seconds:.1f} s (load average {load:.1f})",
            met=seconds < TARGET,
        ),
        Measurement(
            figure=f"flask doctor on the --scale {scale:,} season",
            target="every invariant holds",
            measured=verdict,
            met=clean,
        ),
    ]


def _flask(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run a flask command of this project; with check, it must succeed."""
    command = [sys.executable, "-m", "flask", "--app", "clerkship", *args]
    # This very interpreter running our own commands on a throwaway database.
    done = subprocess.run(  # noqa: S603  # nosec B603
        command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done
