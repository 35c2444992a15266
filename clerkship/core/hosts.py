"""Which hosts the app answers to: the Host header is the client's word, not ours."""

from __future__ import annotations

from urllib.parse import urlsplit

from werkzeug.exceptions import BadRequest, SecurityError
from werkzeug.wsgi import get_host


def trusted_hosts(base_url: str) -> list[str]:
    """The hosts a production app answers to by default: the one of BASE_URL."""
    host = urlsplit(base_url).hostname
    return [host] if host else []


class TrustedHostGuard:
    """WSGI middleware answering 400 to a request for a host not in TRUSTED_HOSTS.

    Flask checks TRUSTED_HOSTS too, but only when it builds the request's URL
    adapter, and its error page then cannot build links; this answers first, plainly.
    """

    def __init__(self, wsgi_app, hosts: list[str]) -> None:
        self.wsgi_app = wsgi_app
        self.hosts = hosts

    def __call__(self, environ, start_response):
        try:
            get_host(environ, self.hosts)
        except SecurityError:
            return BadRequest("This site is not served under that host name.")(
                environ, start_response
            )
        return self.wsgi_app(environ, start_response)
