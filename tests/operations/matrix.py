"""Probes: liveness and readiness for everyone (status only), metrics for nobody by role."""

from tests.matrix import EVERYONE, Rule

RULES = [
    Rule("operations.healthz", lambda w: "/healthz", EVERYONE),
    Rule("operations.readyz", lambda w: "/readyz", EVERYONE),
    # Only a bearer METRICS_TOKEN or an allowed address reads metrics; no role, and
    # signing in does not help (anonymous callers get the same 403).
    Rule("operations.metrics", lambda w: "/metrics", frozenset(), refused_anonymous="forbid"),
]
