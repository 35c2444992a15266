"""For benchmarks only: each response says how many SQL statements its request ran.

Turned on by BENCH_QUERY_HEADER (off by default; production refuses it unless the site is a
benchmark's server on 127.0.0.1). The load benchmark reads the X-Query-Count header to
report queries per request from outside the server process.
"""

from __future__ import annotations

from flask import Flask, Response, g, has_request_context
from sqlalchemy import event

from clerkship.extensions import db

HEADER = "X-Query-Count"


def register_query_header(app: Flask) -> None:
    """Count the statements of each request and send the count in a response header."""
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def count(_conn, _cursor, _statement, _parameters, _context, _executemany):
        if has_request_context():
            g.query_count = g.get("query_count", 0) + 1

    @app.after_request
    def send_count(response: Response) -> Response:
        response.headers[HEADER] = str(g.get("query_count", 0))
        return response
