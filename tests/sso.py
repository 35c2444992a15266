"""A real OpenID provider for the tests: tests/sso_provider/provider.js (oidc-provider on Node)."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

from tests.conftest import free_port

FOLDER = Path(__file__).resolve().parent / "sso_provider"
CLIENT_ID = "clerkship-tests"
CLIENT_SECRET = "clerkship-tests-client-secret-0123456789"


class OpenIDProvider:
    """The provider process; add() puts an account into it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> OpenIDProvider:
        node = shutil.which("node")
        if node is None or not (FOLDER / "node_modules" / "oidc-provider").is_dir():
            raise RuntimeError(
                "The OpenID provider for the tests needs Node.js and `npm ci` in "
                "tests/sso_provider (make setup-test does it)."
            )
        self.process = subprocess.Popen(
            [node, str(FOLDER / "provider.js"), str(self.port), CLIENT_ID, CLIENT_SECRET],
            cwd=FOLDER,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = self.process.stdout.readline()
        if line.strip() != "ready":
            self.stop()
            raise RuntimeError(f"the OpenID provider did not start: {line!r}")
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def config(self, **overrides) -> dict:
        """An app's settings for single sign-on through this provider."""
        return {
            "OIDC_ISSUER": self.issuer,
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_PROVIDER_LABEL": "School sign-in",
            **overrides,
        }

    def add(self, email: str, *, verified: bool = True, sub: str | None = None) -> Account:
        """An account at the provider (a new subject unless sub is given)."""
        account = Account(login=f"user-{uuid.uuid4().hex[:10]}", sub=sub or f"idp-{uuid.uuid4()}")
        self.put(account, email, verified)
        return account

    def put(self, account: Account, email: str, verified: bool = True) -> None:
        """Set the email the provider gives for account."""
        body = {"login": account.login, "sub": account.sub, "email": email}
        body |= {"email_verified": verified, "name": "Test Person"}
        response = requests.post(f"{self.issuer}/test/accounts", data=json.dumps(body), timeout=5)
        response.raise_for_status()


class Account:
    def __init__(self, login: str, sub: str) -> None:
        self.login = login
        self.sub = sub


def through_provider(authorize_url: str, login: str | None, *, deny: bool = False) -> str:
    """Sign in at the provider as login (or deny); the callback URL it sends the browser to."""
    browser = requests.Session()
    response = browser.get(authorize_url, allow_redirects=False, timeout=10)
    for _ in range(10):
        if response.status_code in (302, 303):
            location = urljoin(response.url, response.headers["Location"])
            if urlsplit(location).path.endswith("/login/sso/callback"):
                return location
            response = browser.get(location, allow_redirects=False, timeout=10)
            continue
        assert response.status_code == 200, response.text[:500]
        uid = urlsplit(response.url).path.rsplit("/", 1)[1]
        action = "abort" if deny else "login"
        response = browser.post(
            urljoin(response.url, f"/interaction/{uid}/{action}"),
            data={"login": login or "", "password": "any"},
            allow_redirects=False,
            timeout=10,
        )
    raise AssertionError("the provider did not send the browser back")
