"""Prometheus metrics (prometheus_client): requests by endpoint and status, their latency,
jobs queued and failed, messages that failed.

Under gunicorn, each worker is a process with its own counters. With the environment
variable PROMETHEUS_MULTIPROC_DIR set (an empty folder, emptied at each start, before
the workers import the app), prometheus_client writes them to files there and /metrics
adds up every worker's; gunicorn's child_exit hook calls mark_process_dead
(docs/deployment.md). Without it, /metrics shows this process's counters.
"""

from __future__ import annotations

import os
import time

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

# In multiprocess mode prometheus_client writes a file into PROMETHEUS_MULTIPROC_DIR from
# the first metric on (below). systemd makes the folder for the units; a command run by hand
# with the same environment file (`flask db upgrade`) must not fail for want of it.
if _multiproc_dir := os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(_multiproc_dir, exist_ok=True)

REQUESTS = Counter(
    "clerkship_http_requests",
    "HTTP requests answered, by endpoint, method and status.",
    ["endpoint", "method", "status"],
)
LATENCY = Histogram(
    "clerkship_http_request_duration_seconds",
    "Time to answer a request, by endpoint.",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
# Filled by the job queue when it lands (queue and failure of each job, by its name).
JOBS_QUEUED = Counter("clerkship_jobs_queued", "Background jobs queued, by job.", ["job"])
JOBS_FAILED = Counter("clerkship_jobs_failed", "Background jobs that failed, by job.", ["job"])
MESSAGES_FAILED = Counter("clerkship_messages_failed", "Emails the mail server did not accept.")


def register_metrics(app: Flask) -> None:
    """Count and time every request."""

    @app.before_request
    def start_timer() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def observe(response: Response) -> Response:
        started = g.pop("metrics_started", None)
        # The endpoint's name, never the path: ids in paths would make a series per record.
        endpoint = request.endpoint or "unmatched"
        REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
        if started is not None:
            LATENCY.labels(endpoint).observe(time.perf_counter() - started)
        return response


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format: every worker's when in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
