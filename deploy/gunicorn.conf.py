"""gunicorn's settings for clerkship (docs/deployment.md, "The web server").

    gunicorn --config /etc/clerkship/gunicorn.conf.py

Everything here can be overridden on the command line or by gunicorn's own environment
variables (GUNICORN_CMD_ARGS, WEB_CONCURRENCY, FORWARDED_ALLOW_IPS). The app's settings
come from the CLERKSHIP_* environment (deploy/clerkship.env), not from this file.
"""

import glob
import multiprocessing
import os

wsgi_app = "clerkship:create_app()"
# Behind nginx on the same machine (deploy/nginx/clerkship.conf); never on a public address.
bind = os.environ.get("CLERKSHIP_BIND", "127.0.0.1:8000")

# Sync workers: a request is either database work or an argon2 verification (about 0.19 s
# of one core), so two per core plus one keeps the cores busy while others wait on
# PostgreSQL, Redis or the object store. WEB_CONCURRENCY overrides it.
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
# An upload is streamed to the object store inside its request; 21 MB on a slow line
# takes a while.
timeout = 60
graceful_timeout = 30
keepalive = 5
# The workers' heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
# Not preloaded: prometheus_client must see the emptied PROMETHEUS_MULTIPROC_DIR before
# the app is imported (on_starting below runs first only without preloading).
preload_app = False
# gunicorn 25+'s control socket (gunicornc): in the folder systemd makes for the unit
# (RuntimeDirectory=, deploy/clerkship.service), so that two servers never share one.
if os.environ.get("RUNTIME_DIRECTORY"):
    control_socket = os.path.join(os.environ["RUNTIME_DIRECTORY"].split(":")[0], "gunicorn.ctl")

# The addresses whose X-Forwarded-Proto gunicorn believes: nginx on this machine. The app
# itself trusts PROXY_FIX_HOPS proxies for X-Forwarded-For/-Proto/-Host (ProxyFix).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Access log on standard output (the journal under systemd), one line a request, ending
# with the request id the app answered in X-Request-ID: the same id as in the app's log
# lines and, behind nginx, in nginx's log ($request_id).
accesslog = "-"
errorlog = "-"
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms '
    "request_id=%({x-request-id}o)s"
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def on_starting(server):
    """Metrics of several processes (prometheus_client's multiprocess mode): start from an
    empty folder, keeping only the files of processes still running (the job worker may
    share the folder to publish its job counts)."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        return
    os.makedirs(folder, exist_ok=True)
    for path in glob.glob(os.path.join(folder, "*.db")):
        pid = os.path.basename(path)[: -len(".db")].rsplit("_", 1)[-1]
        if not pid.isdigit() or not _alive(int(pid)):
            os.remove(path)


def child_exit(server, worker):
    """A worker that exits stops counting in the live gauges (counters are kept)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
