"""The probes a load balancer and a monitoring system call."""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, request
from flask_login import current_user

from clerkship.core.health import run_readiness_checks
from clerkship.core.metrics import exposition
from clerkship.core.permissions import public
from clerkship.operations.permissions import (
    can_read_metrics,
    can_read_readiness_details,
    metrics_configured,
)

bp = Blueprint("operations", __name__)


@bp.route("/healthz")
@public
def healthz():
    """The process is alive and answers (nothing else is checked)."""
    return jsonify(status="alive")


@bp.route("/readyz")
@public
def readyz():
    """Every readiness check passes (database, store of files, job queue): 200, else 503.
    Anonymous callers learn the status only; which check failed is for monitoring."""
    results = run_readiness_checks()
    ready = all(result.ok for result in results)
    body: dict = {"status": "ready" if ready else "not ready"}
    if can_read_readiness_details(current_user, request):
        body["checks"] = {
            r.name: {
                "ok": r.ok,
                "seconds": round(r.seconds, 4),
                **({"error": r.error} if r.error else {}),
            }
            for r in results
        }
    return jsonify(body), 200 if ready else 503


@bp.route("/metrics")
@public
def metrics():
    """Prometheus metrics, for a bearer METRICS_TOKEN or an address of METRICS_ALLOWED_ADDRESSES."""
    if not metrics_configured() or not can_read_metrics(request):
        abort(403, description="Metrics are only for the monitoring system.")
    payload, content_type = exposition()
    return Response(payload, content_type=content_type)
