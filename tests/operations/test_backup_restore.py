"""The backup and restore of docs/deployment.md, done: a seeded season's PostgreSQL dump and
its object store, restored into a new database and a new bucket, passes `flask doctor`.

PostgreSQL only (pg_dump / pg_restore of the throwaway cluster); skipped on SQLite runs.
"""

from __future__ import annotations

import glob
import os
import subprocess

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from clerkship.documents.models import Document
from clerkship.extensions import db
from tests.conftest import _worker_database, make_app
from tests.object_storage import s3_config

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def _pg_tool(name: str) -> str:
    return sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))[-1]


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _cli(app, *args: str):
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _counts(app) -> dict[str, int]:
    with app.app_context():
        counts = {
            table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }
        db.session.remove()
        return counts


def test_a_restored_backup_passes_the_doctor(tmp_path, smtp_server, s3_server, worker_id):
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("the backup procedure is PostgreSQL's (run under .ci/with-postgres)")
    smtp_port = smtp_server[1]
    for bucket in ("clerkship-live", "clerkship-restored"):
        s3_server.make_bucket(bucket)
        s3_server.empty_bucket(bucket)

    # The running installation: migrated, seeded, its documents in a bucket.
    live_url = _worker_database(url, f"{worker_id}_backup_live")
    live = make_app(live_url, smtp_port, **s3_config(s3_server, "clerkship-live"))
    _cli(live, "db", "upgrade")
    _cli(live, "demo", "seed")
    assert _cli(live, "doctor").endswith("invariants hold.\n")

    # 1. The database: pg_dump, custom format.
    dump = tmp_path / "clerkship.dump"
    subprocess.run(
        [_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={dump}", _libpq(live_url)],
        check=True,
    )
    # 2. The object store, after the dump: every object copied out, each checked by sha256.
    backup_folder = tmp_path / "objects"
    exporter = make_app(
        live_url,
        smtp_port,
        **s3_config(s3_server, "clerkship-live"),
        UPLOAD_FOLDER=str(backup_folder),
    )
    exported = _cli(exporter, "documents", "move-storage", "--to", "local")
    assert ", 0 failed." in exported

    # Restore into a new database and a new bucket.
    restored_url = _worker_database(url, f"{worker_id}_backup_restored")
    subprocess.run(
        [_pg_tool("pg_restore"), "--no-owner", f"--dbname={_libpq(restored_url)}", str(dump)],
        check=True,
    )
    restored = make_app(
        restored_url,
        smtp_port,
        **s3_config(s3_server, "clerkship-restored"),
        UPLOAD_FOLDER=str(backup_folder),
    )
    imported = _cli(restored, "documents", "move-storage", "--to", "s3")
    _cli(restored, "db", "upgrade")  # the same version: nothing to do

    assert _counts(restored) == _counts(live)
    assert _cli(restored, "doctor").endswith("invariants hold.\n")
    # Every document's file is in the restored bucket with its checksum (a second run copies
    # nothing and checks every object).
    with restored.app_context():
        documents = db.session.scalar(select(func.count()).select_from(Document))
        db.session.remove()
    assert documents > 0
    assert (
        imported == f"{documents} documents: {documents} copied to s3, 0 already there, 0 failed.\n"
    )
    checked = _cli(restored, "documents", "move-storage", "--to", "s3")
    assert (
        checked == f"{documents} documents: 0 copied to s3, {documents} already there, 0 failed.\n"
    )
    for app in (live, exporter, restored):
        with app.app_context():
            db.engine.dispose()
