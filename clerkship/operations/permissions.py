"""Who may read metrics and readiness details: a monitoring system, never the public."""

from __future__ import annotations

import hmac
import ipaddress

from flask import Request, current_app


def metrics_configured() -> bool:
    """Whether /metrics is turned on (a token or an address list is set)."""
    config = current_app.config
    return bool(config.get("METRICS_TOKEN") or config.get("METRICS_ALLOWED_ADDRESSES"))


def can_read_metrics(request: Request) -> bool:
    """The caller shows METRICS_TOKEN as a bearer token, or comes from an allowed address.

    The address is the client's as the app sees it (behind PROXY_FIX_HOPS proxies, the
    forwarded one): list the Prometheus server's address, not the proxy's.
    """
    config = current_app.config
    token = config.get("METRICS_TOKEN")
    offered = request.headers.get("Authorization", "")
    if (
        token
        and offered.startswith("Bearer ")
        and hmac.compare_digest(offered.removeprefix("Bearer ").encode(), str(token).encode())
    ):
        return True
    return _address_allowed(request.remote_addr, config.get("METRICS_ALLOWED_ADDRESSES") or [])


def _address_allowed(address: str | None, allowed: list[str]) -> bool:
    if not address or not allowed:
        return False
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(client in ipaddress.ip_network(entry, strict=False) for entry in allowed)


def can_read_readiness_details(user, request: Request) -> bool:
    """Which check failed and why: for monitoring and administrators only."""
    return bool(user.is_admin) or (metrics_configured() and can_read_metrics(request))
