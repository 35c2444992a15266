"""The app under gunicorn on 127.0.0.1, production settings: what the benchmarks that
measure a real server (load, interview_booking) start."""

from __future__ import annotations

import os
import subprocess  # nosec B404
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from clerkship.bench.postgres import free_port


@contextmanager
def gunicorn_server(
    url: str, secret: str, *, workers: int, settings: dict[str, str], start_timeout: float
) -> Iterator[int]:
    """gunicorn serving the app on a free port over the database at url; its port once
    /login answers. settings are the benchmark's own CLERKSHIP_* environment variables."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "CLERKSHIP_SECRET_KEY": secret,
        "CLERKSHIP_ENV_NAME": "production",
        # Production refuses to start without the address its emailed links are built on.
        "CLERKSHIP_BASE_URL": f"http://127.0.0.1:{port}",
        "CLERKSHIP_INSTANCE_PATH": tempfile.mkdtemp(prefix="clerkship-bench-instance-"),
        **settings,
    }
    env.pop("CLERKSHIP_MAIL_SERVER", None)
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "clerkship:create_app()",
    ]
    # This interpreter's gunicorn, serving this package on 127.0.0.1.
    server = subprocess.Popen(command, env=env)  # noqa: S603  # nosec B603
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2):  # nosec B310
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)
