"""Two app servers over one PostgreSQL, one Redis and one object store (issue 17).

Each server is gunicorn started with deploy/gunicorn.conf.py and production settings, in an
instance folder of its own; beside them two `flask jobs worker` processes. Nothing that
must be shared lives in one process: a student uploads through one server, the
coordinator verifies and opens the file through the other with the same signed cookies,
a login rate limit counts attempts made on both, a scheduled job queued by both workers'
schedulers runs once and its email is delivered once.

PostgreSQL only (several processes on one database); skipped on SQLite runs.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import gunicorn
import pytest
import redis
import requests
from sqlalchemy import func, select

from clerkship.accounts.models import Role
from clerkship.applications.models import ApplicationState
from clerkship.audit.models import AuditEvent
from clerkship.demo.pdf import make_pdf
from clerkship.documents.models import Document, DocumentKind
from clerkship.extensions import db
from clerkship.offers.models import OfferState
from clerkship.rosters.services import VERIFIED
from tests import factories
from tests.conftest import _worker_database, free_port, make_app
from tests.object_storage import CREDENTIALS

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SECRET = "two-servers-shared-secret-0123456789"
METRICS_TOKEN = "two-servers-metrics-token-0123456789"
BUCKET = "clerkship-two-servers"
FAILURES_ALLOWED = 4
TIMEOUT = 30  # seconds for any one request: the machine may be busy with other tests


class Browser:
    """One person's browser: a cookie jar used on either server, forms read from pages.

    Production marks cookies Secure; the servers here are plain HTTP on 127.0.0.1 (TLS is
    nginx's, deploy/nginx), so the jar is told to send them anyway.
    """

    def __init__(self) -> None:
        self.http = requests.Session()

    def get(self, url: str) -> requests.Response:
        return self._kept(self.http.get(url, timeout=TIMEOUT, allow_redirects=False))

    def post(self, url: str, data: dict, *, token_from: str, files=None) -> requests.Response:
        """POST data with the CSRF token of the form on the page token_from."""
        page = self.get(token_from)
        assert page.status_code == 200, (token_from, page.status_code)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
        response = self.http.post(
            url,
            data={**data, "csrf_token": token},
            files=files,
            timeout=TIMEOUT,
            allow_redirects=False,
        )
        return self._kept(response)

    def sign_in(self, server: str, email: str, password: str) -> requests.Response:
        return self.post(
            f"{server}/login",
            {"email": email, "password": password},
            token_from=f"{server}/login",
        )

    def _kept(self, response: requests.Response) -> requests.Response:
        for cookie in self.http.cookies:
            cookie.secure = False
        return response


def _environment(tmp_path: Path, name: str, shared: dict) -> dict:
    instance = tmp_path / name
    (instance / "prometheus").mkdir(parents=True)
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CLERKSHIP_", "FLASK_", "PROMETHEUS_"))
    }
    return {
        **inherited,
        **CREDENTIALS,
        **shared,
        # Each process on a disk of its own: nothing it writes there is seen by the others.
        "CLERKSHIP_INSTANCE_PATH": str(instance),
        "PROMETHEUS_MULTIPROC_DIR": str(instance / "prometheus"),
        # As systemd's RuntimeDirectory= sets it: gunicorn's control socket goes there.
        "RUNTIME_DIRECTORY": str(instance),
    }


def _start_server(env: dict, port: int, log: Path) -> subprocess.Popen:
    """gunicorn with the deployment's configuration file, on 127.0.0.1:port."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--access-logfile",
            str(log),
            "--error-logfile",
            str(log.with_suffix(".err")),
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _start_worker(env: dict, log: Path) -> subprocess.Popen:
    with log.open("wb") as output:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "flask",
                "--app",
                "clerkship",
                "jobs",
                "worker",
                "--workers",
                "1",
            ],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def _wait_ready(base: str, deadline: float, processes: list[subprocess.Popen]) -> None:
    while True:
        for process in processes:
            assert process.poll() is None, f"{process.args} exited with {process.returncode}"
        try:
            if requests.get(f"{base}/readyz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass  # not listening yet
        assert time.monotonic() < deadline, f"{base} did not become ready"
        time.sleep(0.2)


def _wait_for(predicate, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while not (result := predicate()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)
    return result


def _build_season(app) -> dict:
    """A department requiring immunizations and BLS, a placed student, its coordinator."""
    with app.app_context():
        db.create_all()
        department = factories.make_department(
            name="Emergency Medicine",
            slug="emergency-medicine",
            required_documents="immunizations,bls",
        )
        cycle = factories.make_cycle()
        rotation = factories.make_rotation(department, factories.make_site(), code="EM-401")
        block = factories.make_block(rotation, cycle, month=7, capacity=4, reserved=1)
        student = factories.make_student(full_name="Ana Alvarez", email="ana@med.example.edu")
        factories.make_profile(student)
        application = factories.make_application(
            student, blocks=[block], state=ApplicationState.ACCEPTED
        )
        factories.make_placement(application, block, offer_state=OfferState.ACCEPTED)
        factories.make_user((Role.COORDINATOR, department), email="coordinator@example.edu")
        factories.make_student(email="guessed@med.example.edu")
        db.session.commit()
        ids = {"department": department.slug, "cycle": cycle.slug, "student": student.id}
        db.session.remove()
        return ids


def test_two_app_servers_share_one_season(tmp_path, smtp_server, s3_server, redis_url, worker_id):
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("several servers share PostgreSQL (run under .ci/with-postgres)")
    mailbox, smtp_port = smtp_server
    database = _worker_database(url, f"{worker_id}_two_servers")
    s3_server.make_bucket(BUCKET)
    s3_server.empty_bucket(BUCKET)
    redis_base = redis_url.rsplit("/", 1)[0]
    jobs_url, limits_url = f"{redis_base}/3", f"{redis_base}/4"
    for shared_db in (jobs_url, limits_url):
        redis.Redis.from_url(shared_db).flushdb()

    setup = make_app(database, smtp_port, JOBS_BACKEND="redis", JOBS_REDIS_URL=jobs_url)
    season = _build_season(setup)

    ports = [free_port(), free_port()]
    one, two = (f"http://127.0.0.1:{port}" for port in ports)
    shared = {
        "CLERKSHIP_ENV_NAME": "production",
        "CLERKSHIP_SECRET_KEY": SECRET,
        "CLERKSHIP_BASE_URL": one,
        "DATABASE_URL": database,
        "CLERKSHIP_RATELIMIT_STORAGE_URI": limits_url,
        "CLERKSHIP_JOBS_REDIS_URL": jobs_url,
        "CLERKSHIP_STORAGE_BACKEND": "s3",
        "CLERKSHIP_S3_BUCKET": BUCKET,
        "CLERKSHIP_S3_ENDPOINT_URL": s3_server.endpoint,
        "CLERKSHIP_S3_REGION": "us-east-1",
        "CLERKSHIP_MAIL_SERVER": "127.0.0.1",
        "CLERKSHIP_MAIL_PORT": str(smtp_port),
        "CLERKSHIP_LOGIN_FAILURE_LIMIT": f"{FAILURES_ALLOWED} per 15 minutes",
        "CLERKSHIP_METRICS_TOKEN": METRICS_TOKEN,
        "CLERKSHIP_LOG_FORMAT": "json",
        # The suite's cheapest password hashes (the sign-ins' cost is not what is tested).
        "CLERKSHIP_ARGON2_TIME_COST": "1",
        "CLERKSHIP_ARGON2_MEMORY_COST": "8",
        "CLERKSHIP_ARGON2_PARALLELISM": "1",
    }
    logs = {name: tmp_path / f"{name}.log" for name in ("one", "two", "worker-a", "worker-b")}
    processes = [
        _start_server(_environment(tmp_path, "one", shared), ports[0], logs["one"]),
        _start_server(_environment(tmp_path, "two", shared), ports[1], logs["two"]),
        # Worker a shares server one's metrics folder, as the systemd units of one machine do
        # (/run/clerkship/metrics): server one's /metrics shows the jobs it queued and ran.
        _start_worker(
            {
                **_environment(tmp_path, "worker-a", shared),
                "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "one" / "prometheus"),
            },
            logs["worker-a"],
        ),
        _start_worker(_environment(tmp_path, "worker-b", shared), logs["worker-b"]),
    ]
    mailbox.received.clear()
    try:
        deadline = time.monotonic() + 120  # four processes import the app on a busy machine
        _wait_ready(one, deadline, processes)
        _wait_ready(two, deadline, processes)
        if int(gunicorn.__version__.split(".")[0]) >= 25:  # each server its own control socket
            assert (tmp_path / "one" / "gunicorn.ctl").exists()
            assert (tmp_path / "two" / "gunicorn.ctl").exists()

        # A student signs in and uploads through server one.
        ana = Browser()
        assert ana.sign_in(one, "ana@med.example.edu", factories.PASSWORD).status_code == 302
        pdf = make_pdf(["Immunization record", "Ana Alvarez: MMR, varicella, hepatitis B."])
        uploaded = ana.post(
            f"{one}/documents/",
            {
                "kind": DocumentKind.IMMUNIZATIONS.value,
                "expires_on": f"{date.today().year + 3}-06-30",
            },
            token_from=f"{one}/documents/",
            files={"file": ("immunizations.pdf", pdf, "application/pdf")},
        )
        assert uploaded.status_code == 302, uploaded.text
        # Her session is a signed cookie: server two knows her, and lists the upload.
        listed = ana.get(f"{two}/documents/")
        assert listed.status_code == 200
        assert "immunizations.pdf" in listed.text

        # The coordinator verifies it through server two, and opens the file there.
        coordinator = Browser()
        assert (
            coordinator.sign_in(two, "coordinator@example.edu", factories.PASSWORD).status_code
            == 302
        )
        listing = f"{two}/departments/{season['department']}/onboarding/?cycle={season['cycle']}"
        (opened_at,) = set(
            re.findall(
                r'href="([^"]*/onboarding/documents/\d+[^"]*)"', coordinator.get(listing).text
            )
        )
        tracker = f"{two}{opened_at.replace('&amp;', '&')}"
        page = coordinator.get(tracker)
        (action,) = re.findall(r'action="([^"]*/documents/\d+/verify[^"]*)"', page.text)
        action = action.replace("&amp;", "&")
        verified = coordinator.post(f"{two}{action}", {}, token_from=tracker)
        assert verified.status_code == 302
        document_id = int(re.search(r"/documents/(\d+)/verify", action).group(1))
        opened = coordinator.get(f"{two}/documents/{document_id}")
        assert opened.status_code == 200
        assert opened.content == pdf

        with setup.app_context():
            document = db.session.get(Document, document_id)
            assert (document.owner_id, document.verified_at is not None) == (
                season["student"],
                True,
            )
            assert (
                db.session.scalar(
                    select(func.count())
                    .select_from(AuditEvent)
                    .where(AuditEvent.action == VERIFIED)
                )
                == 1
            )
            db.session.remove()
        keys = [
            item["Key"] for item in s3_server.client().list_objects_v2(Bucket=BUCKET)["Contents"]
        ]
        assert keys == [document.stored_name]

        # Failed sign-ins to one account count on both servers together.
        guesser = Browser()
        for attempt in range(FAILURES_ALLOWED):
            server = (one, two)[attempt % 2]
            refused = guesser.sign_in(server, "guessed@med.example.edu", "not-the-password")
            assert refused.status_code == 200, (attempt, refused.status_code)
        for server in (one, two):
            # Now even the right password waits, on either server.
            blocked = guesser.sign_in(server, "guessed@med.example.edu", factories.PASSWORD)
            assert blocked.status_code == 429

        # Both workers' schedulers queue the daily compliance reminders (as at 15:20 UTC):
        # one worker runs them, the other skips, and the student gets one email.
        jobs = setup.extensions["jobs"]
        jobs.tasks["rosters-remind"]()
        jobs.tasks["rosters-remind"]()

        def worker_records(*, strict: bool = False) -> list[dict]:
            # LOG_FORMAT=json: every line of a worker's output is one JSON object, huey's too.
            records = []
            for name in ("worker-a", "worker-b"):
                for line in logs[name].read_text().splitlines():
                    try:
                        records.append(json.loads(line))
                    except ValueError:
                        if strict:
                            raise
            return records

        # huey logs "<task>: <id> executed in ..." after each run, ours "<job> ran|skipped".
        _wait_for(
            lambda: [
                r
                for r in worker_records()
                if re.match(r"\S*rosters-remind: \S+ executed", r["message"])
            ][1:],
            "both workers to take the scheduled job",
        )
        outcomes = [
            (match.group(1), record["request_id"].startswith("rosters-remind-"))
            for record in worker_records(strict=True)
            if (match := re.match(r"rosters-remind (ran|skipped)", record["message"]))
        ]
        assert sorted(outcomes) == [("ran", True), ("skipped", True)]
        _wait_for(lambda: mailbox.received, "the reminder email")
        time.sleep(1.5)  # the other worker's delivery sweep would have sent a second by now
        assert [message["To"] for message in mailbox.received] == ["ana@med.example.edu"]

        # Each server answers its own metrics; the access log carries the request id.
        metrics = requests.get(
            f"{one}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=TIMEOUT
        )
        assert metrics.status_code == 200
        assert 'endpoint="documents.index",method="POST",status="302"' in metrics.text
        # Only workers' schedulers queue the every-minute sweep: worker a's count is there.
        assert re.search(
            r'clerkship_jobs_queued_total\{job="[^"]*deliver-outbox"\} [1-9]', metrics.text
        )
        probe = requests.get(
            f"{two}/healthz", headers={"X-Request-ID": "probe-0123456789"}, timeout=TIMEOUT
        )
        assert probe.headers["X-Request-ID"] == "probe-0123456789"
        _wait_for(
            lambda: "request_id=probe-0123456789" in logs["two"].read_text(), "the access log line"
        )
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        with setup.app_context():
            db.engine.dispose()
