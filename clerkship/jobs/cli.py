"""`flask jobs ...`: the worker, the development server with a worker, one job by hand."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from clerkship.jobs.tasks import BY_NAME, run_in_app

jobs_cli = AppGroup("jobs", help="Background jobs: the worker and the scheduler.")


def _consumer(workers: int, *, periodic: bool = True):
    queue = current_app.extensions["jobs"].huey
    return queue.create_consumer(
        workers=workers, worker_type="thread", periodic=periodic, max_delay=1.0
    )


@jobs_cli.command("worker")
@click.option("--workers", type=int, default=None, help="Worker threads (JOBS_WORKERS).")
@click.option(
    "--no-periodic", is_flag=True, help="Consume the queue only; another worker schedules."
)
def worker(workers: int | None, no_periodic: bool) -> None:
    """Deliver email and run the scheduled jobs until stopped (Ctrl-C, SIGTERM)."""
    import logging

    from clerkship.core.observability import JsonLinesFormatter, RequestIdFilter

    # huey's records in the app's format (JSON lines with LOG_FORMAT=json), with the id of
    # the request that queued the job; the app's own go through its handler, once.
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        JsonLinesFormatter()
        if current_app.config["LOG_FORMAT"] == "json"
        else logging.Formatter("%(asctime)s %(name)s [%(request_id)s] %(message)s")
    )
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    current_app.logger.propagate = False
    consumer = _consumer(workers or current_app.config["JOBS_WORKERS"], periodic=not no_periodic)
    consumer.run()


@jobs_cli.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", type=int, default=5000)
def serve(host: str, port: int) -> None:
    """The development server with a worker in the same process (`make run`): no other server."""
    from werkzeug.serving import run_simple

    app = current_app._get_current_object()
    consumer = _consumer(1)
    # The consumer's threads only: its signal handlers would keep Ctrl-C from the server.
    consumer.scheduler.start()
    for _, thread in consumer.worker_threads:
        thread.start()
    try:
        run_simple(host, port, app, threaded=True)
    finally:
        consumer.stop_flag.set()


@jobs_cli.command("run")
@click.argument("name", type=click.Choice(sorted(BY_NAME)))
def run(name: str) -> None:
    """Run one scheduled job now, in this process (what a cron line would do)."""
    result = run_in_app(current_app._get_current_object(), BY_NAME[name].run)
    click.echo(f"{name}: {result}")
