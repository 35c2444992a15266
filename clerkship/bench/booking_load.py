"""Load generator for the booking benchmark, run as its own process.

Reads from standard input a JSON list of requests ({"path", "cookie", "csrf"}), POSTs
each once to 127.0.0.1:PORT from CONCURRENCY threads, stops early at TIME_LIMIT
seconds, and prints one JSON object: the wall time and each response's status and
latency. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import http.client
import json
import queue
import sys
import threading
import time
from urllib.parse import urlencode

HOST = "127.0.0.1"


def drive(port: int, requests: list[dict], concurrency: int, time_limit: float) -> dict:
    """Send every request (or as many as fit in time_limit); return the timings."""
    todo: queue.Queue[dict] = queue.Queue()
    for request in requests:
        todo.put(request)
    results: list[tuple[int, float]] = []
    lock = threading.Lock()
    deadline = time.monotonic() + time_limit

    def worker() -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        while time.monotonic() < deadline:
            try:
                request = todo.get_nowait()
            except queue.Empty:
                break
            body = urlencode({"csrf_token": request["csrf"]})
            headers = {
                "Cookie": request["cookie"],
                "Content-Type": "application/x-www-form-urlencoded",
            }
            start = time.perf_counter()
            try:
                connection.request("POST", request["path"], body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
                if response.will_close:
                    connection.close()
            except (OSError, http.client.HTTPException):
                connection.close()
                status = 0
            elapsed = time.perf_counter() - start
            with lock:
                results.append((status, elapsed))
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"wall_seconds": time.perf_counter() - began, "results": results}


def main() -> None:
    port, concurrency, time_limit = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    requests = json.load(sys.stdin)
    print(json.dumps(drive(port, requests, concurrency, time_limit)))


if __name__ == "__main__":
    main()
