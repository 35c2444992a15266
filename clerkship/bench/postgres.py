"""A throwaway PostgreSQL cluster for benchmarks (the logic of .ci/with-postgres, from Python)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess  # nosec B404
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    if not found:
        raise RuntimeError(
            "The PostgreSQL server is not installed: apt-get install -y postgresql "
            "(or run `make system-packages`)."
        )
    return Path(found[-1])


@contextmanager
def postgres_cluster(max_connections: int = 100) -> Iterator[str]:
    """Start a fresh cluster on a free port; yield its SQLAlchemy URL; stop and remove it."""
    pgbin = _bin_dir()
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="clerkship-bench-pg-"))
    as_owner: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root: run the server as postgres
        shutil.chown(folder, "postgres")
        as_owner = ["runuser", "-u", "postgres", "--"]
    data = folder / "data"

    def run(*command: str) -> None:
        # Fixed programs of the PostgreSQL installation, with arguments built here.
        subprocess.run(  # noqa: S603  # nosec B603
            [*command], check=True, capture_output=True, text=True
        )

    try:
        run(
            *as_owner,
            str(pgbin / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        options = (
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            f"-c synchronous_commit=off -c full_page_writes=off -c max_connections={max_connections} "
            # As docs/deployment.md recommends for data on SSD or in memory.
            "-c random_page_cost=1.1"
        )
        run(
            *as_owner,
            str(pgbin / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(folder / "log"),
            "-w",
            "start",
            "-o",
            options,
        )
        run(str(pgbin / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "bench")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/bench"
    finally:
        subprocess.run(  # noqa: S603  # nosec B603
            [*as_owner, str(pgbin / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)
