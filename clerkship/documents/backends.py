"""Where stored files' bytes live: a local folder (the default) or an S3-compatible bucket.

Only documents/storage.py uses a backend; it names files by their random stored name and
never hands anyone a path or a bucket address. Every download goes through the app (its
permission check, audit event and download headers).

STORAGE_BACKEND = "local": files in UPLOAD_FOLDER (default <instance>/uploads).
STORAGE_BACKEND = "s3": objects in S3_BUCKET (under S3_PREFIX), private, with server-side
encryption requested (S3_SERVER_SIDE_ENCRYPTION, "AES256" or "aws:kms"), through boto3 at
S3_ENDPOINT_URL (empty: AWS itself) with the usual AWS credentials chain.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import Flask, current_app


class StorageUnavailable(Exception):
    """The store could not be reached or refused the operation (an outage, not a missing file)."""


class StoredObjectMissing(Exception):
    """The store answers, but holds nothing under that name."""


class StorageBackend(Protocol):
    """What documents/storage.py needs from a store of files."""

    name: str

    def put(self, source: Path, name: str, *, content_type: str) -> None:
        """Store the file at source under name (whole or not at all)."""

    def open(self, name: str) -> tuple[BinaryIO, int]:
        """A readable stream of the stored file and its size (StoredObjectMissing if none)."""

    def delete(self, name: str) -> bool:
        """Remove the stored file; whether there was one."""

    def exists(self, name: str) -> bool:
        """Whether a file is stored under name."""

    def names(self) -> Iterator[str]:
        """The names of every stored file."""

    def check(self) -> None:
        """Raise StorageUnavailable unless the store can be used now (readiness)."""


class LocalBackend:
    """Files in a folder of the server's disk."""

    name = "local"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, name: str) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder / name

    def put(self, source: Path, name: str, *, content_type: str) -> None:
        target = self._path(name)
        if source.parent == target.parent:
            os.replace(source, target)  # atomic within one folder
            return
        partial = target.with_name(f".partial-{name}")
        shutil.copyfile(source, partial)
        os.replace(partial, target)

    def open(self, name: str) -> tuple[BinaryIO, int]:
        path = self._path(name)
        if not path.is_file():
            raise StoredObjectMissing(name)
        return path.open("rb"), path.stat().st_size

    def delete(self, name: str) -> bool:
        path = self._path(name)
        if path.is_file():
            path.unlink()
            return True
        return False

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()

    def names(self) -> Iterator[str]:
        self.folder.mkdir(parents=True, exist_ok=True)
        for path in sorted(self.folder.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                yield path.name

    def check(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StorageUnavailable(str(error)) from error
        if not os.access(self.folder, os.W_OK):
            raise StorageUnavailable(f"{self.folder} is not writable")


class S3Backend:
    """Private objects in an S3-compatible bucket, encrypted at rest by the store."""

    name = "s3"

    def __init__(self, client, bucket: str, prefix: str, encryption: str) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.encryption = encryption

    def _key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def _call(self, method: str, **kwargs):
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.client, method)(Bucket=self.bucket, **kwargs)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in ("NoSuchKey", "404", "NotFound"):
                raise StoredObjectMissing(kwargs.get("Key", "")) from error
            raise StorageUnavailable(f"{method}: {code or error}") from error
        except BotoCoreError as error:  # connection refused, timeouts, ...
            raise StorageUnavailable(f"{method}: {error}") from error

    def put(self, source: Path, name: str, *, content_type: str) -> None:
        extra = {"ACL": "private", "ContentType": content_type}
        if self.encryption:
            extra["ServerSideEncryption"] = self.encryption
        with source.open("rb") as handle:
            # One PUT (uploads are at most MAX_UPLOAD_BYTES): the object appears whole or not at all.
            self._call("put_object", Key=self._key(name), Body=handle, **extra)

    def open(self, name: str) -> tuple[BinaryIO, int]:
        answer = self._call("get_object", Key=self._key(name))
        return answer["Body"], int(answer["ContentLength"])

    def delete(self, name: str) -> bool:
        existed = self.exists(name)
        self._call("delete_object", Key=self._key(name))
        return existed

    def exists(self, name: str) -> bool:
        try:
            self._call("head_object", Key=self._key(name))
        except StoredObjectMissing:
            return False
        return True

    def names(self) -> Iterator[str]:
        token: str | None = None
        while True:
            kwargs = {"Prefix": self.prefix}
            if token:
                kwargs["ContinuationToken"] = token
            page = self._call("list_objects_v2", **kwargs)
            for item in page.get("Contents", []):
                yield item["Key"][len(self.prefix) :]
            if not page.get("IsTruncated"):
                return
            token = page["NextContinuationToken"]

    def check(self) -> None:
        self._call("head_bucket")


def make_backend(app: Flask, kind: str | None = None) -> StorageBackend:
    """The backend of the app's settings (or of kind, "local" or "s3")."""
    kind = kind or app.config["STORAGE_BACKEND"]
    if kind == "local":
        configured = app.config.get("UPLOAD_FOLDER")
        return LocalBackend(Path(configured) if configured else Path(app.instance_path) / "uploads")
    if kind == "s3":
        import boto3
        from botocore.config import Config

        client = boto3.client(
            "s3",
            endpoint_url=app.config.get("S3_ENDPOINT_URL") or None,
            region_name=app.config.get("S3_REGION") or None,
            config=Config(
                connect_timeout=app.config["S3_TIMEOUT"],
                read_timeout=app.config["S3_TIMEOUT"],
                retries={"max_attempts": 2, "mode": "standard"},
                signature_version="s3v4",
            ),
        )
        return S3Backend(
            client,
            bucket=app.config["S3_BUCKET"],
            prefix=app.config.get("S3_PREFIX") or "",
            encryption=app.config.get("S3_SERVER_SIDE_ENCRYPTION") or "",
        )
    raise ValueError(f"STORAGE_BACKEND must be 'local' or 's3', not {kind!r}")


def backend() -> StorageBackend:
    """The current app's backend, built once per app and settings."""
    app = current_app._get_current_object()
    key = (
        app.config["STORAGE_BACKEND"],
        app.config.get("UPLOAD_FOLDER"),
        app.instance_path,
        app.config.get("S3_BUCKET"),
        app.config.get("S3_ENDPOINT_URL"),
        app.config.get("S3_PREFIX"),
    )
    cached = app.extensions.get("clerkship_storage_backend")
    if cached is None or cached[0] != key:
        cached = (key, make_backend(app))
        app.extensions["clerkship_storage_backend"] = cached
    return cached[1]


def check_storage() -> None:
    """Readiness: the configured store can be used (StorageUnavailable otherwise)."""
    backend().check()
