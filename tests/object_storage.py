"""A real S3-protocol server for the tests: moto's standalone server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import boto3
import requests

from tests.conftest import free_port

# moto accepts any credentials; boto3 needs some to sign requests.
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "clerkship-test",
    "AWS_SECRET_ACCESS_KEY": "clerkship-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


class S3Server:
    """moto_server in a process of its own; stop() is an outage, start() brings it back."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        for name, value in CREDENTIALS.items():
            os.environ.setdefault(name, value)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> S3Server:
        moto = Path(sys.executable).with_name("moto_server")
        self.process = subprocess.Popen(
            [str(moto), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(self.endpoint, timeout=10)
                return self
            except requests.RequestException:  # not listening yet, or slow on a busy machine
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("moto_server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def client(self):
        return boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1")

    def make_bucket(self, name: str) -> None:
        client = self.client()
        if name not in {b["Name"] for b in client.list_buckets().get("Buckets", [])}:
            client.create_bucket(Bucket=name)

    def empty_bucket(self, name: str) -> None:
        client = self.client()
        for item in client.list_objects_v2(Bucket=name).get("Contents", []):
            client.delete_object(Bucket=name, Key=item["Key"])


def s3_config(server: S3Server, bucket: str) -> dict:
    """The settings of an app that keeps its documents in bucket on server."""
    return {
        "STORAGE_BACKEND": "s3",
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": server.endpoint,
        "S3_REGION": "us-east-1",
        "S3_TIMEOUT": 2,
    }


class FlakyProxy:
    """A TCP proxy in front of a server, to cut the line without losing the server's state.

    cut(): every connection is refused or dropped (an outage). cut_after(n): the next
    requests get through for their first n bytes, then the line drops (an outage in the
    middle of an upload). heal(): everything passes again.
    """

    def __init__(self, target_port: int) -> None:
        import socket
        import threading

        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.mode: tuple[str, int] = ("open", 0)
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cut(self) -> None:
        self.mode = ("cut", 0)

    def cut_after(self, size: int) -> None:
        self.mode = ("partial", size)

    def heal(self) -> None:
        self.mode = ("open", 0)

    def close(self) -> None:
        self.stopped = True
        self.listener.close()

    def _accept(self) -> None:
        import socket
        import threading

        while not self.stopped:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            kind, size = self.mode
            if kind == "cut":
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            limit = size if kind == "partial" else None
            threading.Thread(target=self._pipe, args=(client, upstream, limit), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, None), daemon=True).start()

    @staticmethod
    def _pipe(source, target, limit: int | None) -> None:
        sent = 0
        try:
            while data := source.recv(65536):
                if limit is not None and sent + len(data) > limit:
                    target.sendall(data[: limit - sent])
                    break
                target.sendall(data)
                sent += len(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.close()
