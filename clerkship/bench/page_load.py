"""Load generator of the pages benchmark, run as its own process (only 127.0.0.1 is contacted).

Reads one JSON object from standard input:

    {"port": 8000, "levels": [1, 8, 32], "seconds": 3.0, "max_requests": 400,
     "password": "...",
     "sign_ins": {"staff": {"director": "a@b"}, "students": ["c@d", ...]},
     "pages": [{"name": "...", "path": "/...", "as": "director" | null, "levels": [1, 8, 32]}]}

First it signs in once as each account of "staff" (GET /login for the form, POST it) and
keeps the session cookies. Then, for each page and each concurrency level, CONCURRENCY
threads send GET requests for `seconds` (or `max_requests`), each on its own connection;
the page named "sign-in" instead POSTs /login for a new account each time (prepared
beforehand: the GET of the form is not timed). Last, with "mixed" in the plan, a class signs
in at a fixed rate (distinct accounts, distinct X-Forwarded-For addresses) while readers
request the other pages (`sign_ins_with_pages`). Prints one JSON array: per page and level,
the wall time and each response's status, seconds and X-Query-Count.
"""

from __future__ import annotations

import http.client
import json
import re
import sys
import threading
import time
from urllib.parse import urlencode

HOST = "127.0.0.1"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    found = {}
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            found[name.strip()] = rest.split(";", 1)[0]
    return found


def _header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def login_form(port: int) -> tuple[dict[str, str], str]:
    """The cookies and CSRF token of a fresh sign-in form."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    connection.request("GET", "/login")
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    match = CSRF.search(body)
    if response.status != 200 or match is None:
        raise RuntimeError(f"GET /login gave {response.status}")
    return _cookies(response), match.group(1)


def sign_in(
    port: int, email: str, password: str, prepared=None, forwarded_for: str | None = None
) -> tuple[int, float, dict[str, str]]:
    """POST /login; (status, seconds of the POST, the session's cookies).

    forwarded_for: the X-Forwarded-For a proxy would add (the server trusts one hop), so
    that each student of a class arrives from an address of their own.
    """
    cookies, token = prepared or login_form(port)
    body = urlencode({"csrf_token": token, "email": email, "password": password})
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    headers = {"Cookie": _header(cookies), "Content-Type": "application/x-www-form-urlencoded"}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    start = time.perf_counter()
    try:
        connection.request("POST", "/login", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        status, found = response.status, _cookies(response)
    except (OSError, http.client.HTTPException):
        status, found = 0, {}
    finally:
        connection.close()
    return status, time.perf_counter() - start, {**cookies, **found}


def _get(port: int, path: str, cookie: str) -> tuple[int, float, int]:
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    start = time.perf_counter()
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        response.read()
        status, queries = response.status, int(response.getheader("X-Query-Count") or -1)
    except (OSError, http.client.HTTPException):
        status, queries = 0, -1
    finally:
        connection.close()
    return status, time.perf_counter() - start, queries


def drive(action, concurrency: int, seconds: float, max_requests: int) -> dict:
    """Call action() from `concurrency` threads for `seconds` or `max_requests` calls."""
    results: list = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    sent = [0]

    def worker() -> None:
        while time.monotonic() < deadline:
            with lock:
                if sent[0] >= max_requests:
                    return
                sent[0] += 1
            outcome = action()
            if outcome is None:
                return
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"wall_seconds": time.perf_counter() - began, "results": results}


def sign_ins_with_pages(
    port: int, plan: dict, students: list[str], sessions: dict[str, str]
) -> list[dict]:
    """A class signing in at `rate` a second (distinct accounts and forwarded addresses,
    each POST on a thread of its own, whatever the earlier ones' progress) for `seconds`,
    while `concurrency` clients read the other pages in turn; both reports."""
    mixed = plan["mixed"]
    rate, seconds, concurrency = mixed["rate"], mixed["seconds"], mixed["concurrency"]
    count = min(len(students), int(rate * seconds))
    prepared = [(students.pop(), login_form(port)) for _ in range(count)]
    readers = [p for p in plan["pages"] if p["name"] in mixed["pages"]]
    signed: list = []
    read: dict[str, list] = {p["name"]: [] for p in readers}
    lock = threading.Lock()
    stop = threading.Event()

    def one_sign_in(index: int, email: str, form) -> None:
        address = f"10.{index // 65025 % 256}.{index // 255 % 255}.{index % 255 + 1}"
        status, elapsed, _c = sign_in(port, email, plan["password"], form, address)
        with lock:
            signed.append((status, elapsed, -1))

    def reader(offset: int) -> None:
        turn = offset
        while not stop.is_set():
            page = readers[turn % len(readers)]
            outcome = _get(port, page["path"], sessions[page.get("as") or ""])
            with lock:
                read[page["name"]].append(outcome)
            turn += 1

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    arrivals = []
    for index, (email, form) in enumerate(prepared):
        delay = began + index / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        arrival = threading.Thread(target=one_sign_in, args=(index, email, form))
        arrival.start()
        arrivals.append(arrival)
    for arrival in arrivals:
        arrival.join()
    stop.set()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    name = mixed["name"]
    report = [{"page": name, "level": concurrency, "wall_seconds": wall, "results": signed}]
    for page_name, results in read.items():
        report.append(
            {
                "page": f"{page_name} {mixed['during']}",
                "level": concurrency,
                "wall_seconds": wall,
                "results": results,
            }
        )
    return report


def main() -> None:
    plan = json.load(sys.stdin)
    port, password = plan["port"], plan["password"]
    sessions = {"": ""}
    for role, email in plan["sign_ins"]["staff"].items():
        status, _s, cookies = sign_in(port, email, password)
        if status != 302:
            raise RuntimeError(f"signing in as {role} gave {status}")
        sessions[role] = _header(cookies)
    students = list(plan["sign_ins"]["students"])
    report = []
    for page in plan["pages"]:
        for level in page.get("levels", plan["levels"]):
            if page["name"] == "sign-in":
                count = min(len(students), page.get("requests", 40))
                prepared = [(students.pop(), login_form(port)) for _ in range(count)]
                todo = iter(prepared)
                lock = threading.Lock()

                def action(todo=todo, lock=lock):
                    with lock:
                        item = next(todo, None)
                    if item is None:
                        return None
                    status, seconds, _c = sign_in(port, item[0], password, item[1])
                    return (status, seconds, -1)

                outcome = drive(action, level, plan["seconds"] * 4, count)
            else:
                cookie = sessions[page.get("as") or ""]

                def action(path=page["path"], cookie=cookie):
                    return _get(port, path, cookie)

                for _ in range(8):  # warm every worker's caches
                    _get(port, page["path"], cookie)
                outcome = drive(action, level, plan["seconds"], plan["max_requests"])
            report.append({"page": page["name"], "level": level, **outcome})
    if plan.get("mixed"):
        report.extend(sign_ins_with_pages(port, plan, students, sessions))
    print(json.dumps(report))


if __name__ == "__main__":
    main()
