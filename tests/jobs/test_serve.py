"""`make run` (flask jobs serve): no mail server, no job server, and a newcomer sees the link."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from tests.conftest import free_port
from tests.outbox.smtp import wait_until

ROOT = Path(__file__).resolve().parents[2]


def test_make_run_delivers_a_newcomers_verification_link_to_the_console(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    env.update(CLERKSHIP_INSTANCE_PATH=str(tmp_path), CLERKSHIP_SECRET_KEY="serve-test")
    flask = [sys.executable, "-m", "flask", "--app", "clerkship"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    port = free_port()
    log = (tmp_path / "serve.log").open("w+")
    server = subprocess.Popen(
        [*flask, "jobs", "serve", "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    try:
        base = f"http://127.0.0.1:{port}"
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

        def up() -> bool:
            try:
                return opener.open(f"{base}/register", timeout=2).status == 200
            except OSError:
                return False

        wait_until(up, timeout=60, step=0.2)
        form = opener.open(f"{base}/register").read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
        data = urllib.parse.urlencode(
            {
                "csrf_token": token,
                "full_name": "New Comer",
                "email": "new.comer@med.example.edu",
                "password": "lantern orbit meadow cobalt",
                "confirm": "lantern orbit meadow cobalt",
            }
        ).encode()

        def fetch(url: str, data: bytes | None = None) -> str:
            try:
                return opener.open(url, data=data).read().decode()
            except urllib.error.HTTPError as error:  # show the server's traceback
                log.seek(0)
                raise AssertionError(f"{error} for {url}\n{log.read()[-4000:]}") from error

        started = time.monotonic()
        fetch(f"{base}/register", data)

        def printed() -> str | None:
            log.seek(0)
            match = re.search(r"link: (http://\S+/verify\S*)", log.read())
            return match and match.group(1)

        wait_until(printed, timeout=30, step=0.1)
        assert time.monotonic() - started < 30
        link = printed()
        log.seek(0)
        assert "Subject: Confirm your email address" in log.read()
        # The printed link works: it confirms the address.
        confirmed = fetch(link.replace("http://127.0.0.1:5000", base))
        assert "confirmed" in confirmed.lower()
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
