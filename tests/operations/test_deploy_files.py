"""deploy/: the nginx site checked and run by nginx itself, the systemd units by
systemd-analyze, the gunicorn configuration by gunicorn, the environment file by the app's
production checks.

nginx comes from .ci/system-packages; a machine without it skips the nginx tests (CI fails
them instead).
"""

from __future__ import annotations

import ipaddress
import multiprocessing
import os
import re
import runpy
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from clerkship.config import DefaultConfig
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SITE = DEPLOY / "nginx" / "clerkship.conf"
HOST = "clerkship.school.edu"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def _need_nginx() -> str:
    if NGINX is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is missing: .ci/system-packages installs it")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    return NGINX


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for HOST."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(HOST), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert, private = folder / "fullchain.pem", folder / "privkey.pem"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert, private


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"deploy/nginx/clerkship.conf no longer has {old!r} once"
    return text.replace(old, new)


def _nginx_prefix(folder: Path, site: str) -> Path:
    """folder set up as nginx's prefix: the site (certificate paths replaced), a main file."""
    cert, key = _certificate(folder)
    site = _replace_once(site, "/etc/ssl/clerkship/fullchain.pem", str(cert))
    site = _replace_once(site, "/etc/ssl/clerkship/privkey.pem", str(key))
    (folder / "site.conf").write_text(site)
    temp = (
        " ".join(
            f"{kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi")
        )
        + f" uwsgi_temp_path {folder / 'uwsgi'}; scgi_temp_path {folder / 'scgi'};"
    )
    user = "user root;" if os.geteuid() == 0 else ""  # workers may read the private folder
    main = folder / "nginx.conf"
    main.write_text(
        f"""daemon off;
{user}
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"};
events {{ worker_connections 64; }}
http {{
    access_log {folder / "access.log"};
    {temp}
    include {folder / "site.conf"};
}}
"""
    )
    return main


def _nginx(main: Path, *arguments: str, **kwargs):
    return subprocess.run(
        [_need_nginx(), "-p", str(main.parent), "-c", str(main), *arguments],
        capture_output=True,
        text=True,
        timeout=30,
        **kwargs,
    )


def test_the_nginx_site_passes_nginx_t(tmp_path):
    main = _nginx_prefix(tmp_path, SITE.read_text())
    checked = _nginx(main, "-t")
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


def test_the_nginx_site_accepts_what_the_app_accepts():
    """client_max_body_size is the request size the app accepts (MAX_CONTENT_LENGTH)."""
    (size,) = re.findall(r"^\s*client_max_body_size (\d+)m;", SITE.read_text(), re.M)
    assert int(size) * 1024 * 1024 == 2 * DefaultConfig.MAX_UPLOAD_BYTES + 1024 * 1024


@pytest.fixture
def app_config() -> dict:
    # The settings of deploy/clerkship.env that concern the proxy.
    return {"PROXY_FIX_HOPS": 1, "FORCE_HTTPS": True, "TRUSTED_HOSTS": [HOST]}


def test_nginx_in_front_of_the_app_as_proxy_fix_hops_expects(tmp_path, live_server):
    """The site served by nginx: HTTP redirected, HTTPS proxied with the headers the app
    trusts with PROXY_FIX_HOPS=1 (it sees HTTPS and the host), its request id, /metrics
    closed, bodies up to the app's limit."""
    http_port, https_port = free_port(), free_port()
    app_port = live_server.rsplit(":", 1)[1]
    site = SITE.read_text()
    site = _replace_once(site, "    listen 80;\n", f"    listen 127.0.0.1:{http_port};\n")
    site = _replace_once(site, "    listen [::]:80;\n", "")
    site = _replace_once(
        site, "    listen 443 ssl http2;\n", f"    listen 127.0.0.1:{https_port} ssl http2;\n"
    )
    site = _replace_once(site, "    listen [::]:443 ssl http2;\n", "")
    site = _replace_once(site, "server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};")
    main = _nginx_prefix(tmp_path, site)
    server = subprocess.Popen(
        [_need_nginx(), "-p", str(tmp_path), "-c", str(main)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    trusted = str(tmp_path / "fullchain.pem")  # the throwaway certificate, for 127.0.0.1 too
    https = f"https://127.0.0.1:{https_port}"
    headers = {"Host": HOST}
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                requests.get(
                    f"http://127.0.0.1:{http_port}/",
                    headers=headers,
                    allow_redirects=False,
                    timeout=5,
                )
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, (tmp_path / "error.log").read_text()
                time.sleep(0.1)

        plain = requests.get(
            f"http://127.0.0.1:{http_port}/login?next=/documents/",
            headers=headers,
            allow_redirects=False,
            timeout=10,
        )
        assert (plain.status_code, plain.headers["Location"]) == (
            301,
            f"https://{HOST}/login?next=/documents/",
        )

        # The app (FORCE_HTTPS, TRUSTED_HOSTS) answers: it believed X-Forwarded-Proto and Host.
        page = requests.get(
            f"{https}/login",
            headers={**headers, "X-Request-ID": "chosen-by-the-client"},
            verify=trusted,
            allow_redirects=False,
            timeout=10,
        )
        assert page.status_code == 200
        assert page.headers["Strict-Transport-Security"].startswith("max-age=")
        # nginx's own request id, not the client's, names the request in both logs.
        assert re.fullmatch(r"[0-9a-f]{32}", page.headers["X-Request-ID"])
        # Without the proxy the app would redirect to HTTPS: the headers made the difference.
        direct = requests.get(
            f"{live_server}/login", headers=headers, allow_redirects=False, timeout=10
        )
        assert direct.status_code == 302
        assert direct.headers["Location"].startswith("https://")

        metrics = requests.get(f"{https}/metrics", headers=headers, verify=trusted, timeout=10)
        assert metrics.status_code == 403
        assert "nginx" in metrics.text  # refused by nginx, before the app

        limit = 2 * DefaultConfig.MAX_UPLOAD_BYTES + 1024 * 1024
        too_big = requests.post(
            f"{https}/login",
            headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
            data=b"x" * (limit + 1),
            verify=trusted,
            timeout=30,
        )
        assert too_big.status_code == 413
        # A body the app accepts passes (a file part: form fields alone have a smaller cap).
        at_limit = requests.post(
            f"{https}/login",
            headers=headers,
            files={"file": ("big.pdf", b"x" * (limit - 4096), "application/pdf")},
            verify=trusted,
            timeout=60,
        )
        assert at_limit.status_code != 413  # the app's own answer
        assert "nginx" not in at_limit.text
    finally:
        server.terminate()
        server.wait(timeout=10)


# systemd ----------------------------------------------------------------------------------

UNITS = ("clerkship.service", "clerkship-worker.service")


def _unit(name: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in (DEPLOY / name).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            values.setdefault(key, []).append(value)
    return values


def test_the_units_run_this_package_with_one_environment_file():
    app, worker = _unit("clerkship.service"), _unit("clerkship-worker.service")
    assert app["ExecStart"] == [
        "/srv/clerkship/venv/bin/gunicorn --config /etc/clerkship/gunicorn.conf.py"
    ]
    assert worker["ExecStart"] == ["/srv/clerkship/venv/bin/flask --app clerkship jobs worker"]
    for unit in (app, worker):
        assert unit["EnvironmentFile"] == ["/etc/clerkship/clerkship.env"]
        assert unit["StateDirectory"] == ["clerkship"]  # CLERKSHIP_INSTANCE_PATH
        # The folder of PROMETHEUS_MULTIPROC_DIR, kept while the other unit runs.
        assert (unit["RuntimeDirectory"], unit["RuntimeDirectoryPreserve"]) == (
            ["clerkship/metrics"],
            ["yes"],
        )
    environment = _environment_file()
    assert environment["CLERKSHIP_INSTANCE_PATH"] == "/var/lib/clerkship"
    assert environment["PROMETHEUS_MULTIPROC_DIR"] == "/run/clerkship/metrics"


def test_the_units_pass_systemd_analyze_verify(tmp_path):
    """With this virtualenv in place of /srv/clerkship/venv, the units verify cleanly."""
    analyze = shutil.which("systemd-analyze")
    for name in UNITS:
        text = (DEPLOY / name).read_text().replace("/srv/clerkship/venv", sys.prefix)
        (tmp_path / name).write_text(text)
        command = _unit(name)["ExecStart"][0].replace("/srv/clerkship/venv", sys.prefix)
        assert os.access(command.split()[0], os.X_OK), command
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (the commands exist: checked above)")
    verified = subprocess.run(
        [analyze, "verify", *(str(tmp_path / name) for name in UNITS)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (verified.returncode, verified.stderr) == (0, "")


# gunicorn and the environment file ---------------------------------------------------------


def _environment_file() -> dict[str, str]:
    """deploy/clerkship.env read as systemd's EnvironmentFile= reads it."""
    values = {}
    for line in (DEPLOY / "clerkship.env").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, value = line.split("=", 1)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values


def test_the_gunicorn_configuration():
    settings = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert settings["wsgi_app"] == "clerkship:create_app()"
    assert settings["bind"] == "127.0.0.1:8000"
    if not os.environ.get("WEB_CONCURRENCY"):
        assert settings["workers"] == 2 * multiprocessing.cpu_count() + 1
    assert settings["forwarded_allow_ips"] == os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
    assert settings["access_log_format"].endswith("request_id=%({x-request-id}o)s")
    assert settings["preload_app"] is False


def test_gunicorn_starting_keeps_only_live_processes_metrics(tmp_path, monkeypatch):
    settings = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    folder = tmp_path / "metrics"
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    folder.mkdir()
    live = folder / f"counter_{os.getpid()}.db"
    dead = folder / "counter_999999999.db"
    for path in (live, dead):
        path.write_bytes(b"")
    settings["on_starting"](None)
    assert sorted(p.name for p in folder.iterdir()) == [live.name]


@pytest.mark.slow
def test_gunicorn_check_config_with_the_environment_file_starts_the_app(tmp_path):
    """`gunicorn --check-config` loads the configuration and builds the app under the
    example environment: its production settings pass the app's start-up checks."""
    (tmp_path / "metrics").mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CLERKSHIP_")},
        **_environment_file(),
        "CLERKSHIP_INSTANCE_PATH": str(tmp_path / "instance"),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }

    def check_config() -> subprocess.CompletedProcess:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--check-config",
                "--config",
                str(DEPLOY / "gunicorn.conf.py"),
            ],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )

    checked = check_config()
    assert checked.returncode == 0, checked.stderr
    # Without the secret the same check refuses, naming it: the app was really built.
    del env["CLERKSHIP_SECRET_KEY"]
    refused = check_config()
    assert refused.returncode != 0
    assert "no SECRET_KEY" in refused.stderr


def test_a_command_run_by_hand_with_the_environment_file_makes_the_metrics_folder(tmp_path):
    """`flask db upgrade` before the units ever started: /run/clerkship/metrics is missing."""
    folder = tmp_path / "run" / "clerkship" / "metrics"
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    subprocess.run(
        [sys.executable, "-c", "import clerkship.core.metrics"], env=env, check=True, timeout=60
    )
    assert folder.is_dir()
