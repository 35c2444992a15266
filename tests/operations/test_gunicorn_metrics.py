"""Metrics under gunicorn: every worker's counts added up (prometheus_client multiprocess mode)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.conftest import free_port

TOKEN = "gunicorn-metrics-token-0123456789"
REQUESTS = 40


@pytest.mark.slow
def test_metrics_add_up_the_requests_of_every_worker(tmp_path):
    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    port = free_port()
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(multiproc),
        "CLERKSHIP_INSTANCE_PATH": str(tmp_path / "instance"),
        "CLERKSHIP_SECRET_KEY": "gunicorn-test-secret",
        "CLERKSHIP_METRICS_TOKEN": TOKEN,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "clerkship:create_app()",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(
                    f"{base}/metrics", timeout=10
                )  # 403 without the token: not counted below
                break
            except requests.RequestException:  # not listening yet, or a worker still booting
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        with ThreadPoolExecutor(max_workers=8) as pool:
            codes = list(
                pool.map(
                    lambda _: requests.get(f"{base}/healthz", timeout=30).status_code,
                    range(REQUESTS),
                )
            )
        assert codes == [200] * REQUESTS
        text = requests.get(
            f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
        ).text
        series = (
            'clerkship_http_requests_total{endpoint="operations.healthz",method="GET",status="200"}'
        )
        (line,) = [line for line in text.splitlines() if line.startswith(series)]
        assert float(line.rsplit(" ", 1)[1]) == REQUESTS
        # Both workers answered some of them, and each kept its own file of counts.
        pids = {path.stem.rsplit("_", 1)[1] for path in multiproc.glob("counter_*.db")}
        assert len(pids) == 2
    finally:
        server.terminate()
        server.wait(timeout=20)
