"""`flask documents move-storage`: every file copied to the other store, verified by sha256."""

from __future__ import annotations

import hashlib

import pytest

from clerkship.documents.storage import document_path
from clerkship.extensions import db
from tests.factories import make_cycle, make_document, make_student
from tests.object_storage import s3_config

BUCKET = "clerkship-moved"


@pytest.fixture
def app_config(s3_server):
    # The S3 settings are there, but the app still stores files locally: the move comes first.
    return {**s3_config(s3_server, BUCKET), "STORAGE_BACKEND": "local"}


@pytest.fixture
def bucket(s3_server):
    s3_server.make_bucket(BUCKET)
    s3_server.empty_bucket(BUCKET)
    yield s3_server.client()
    s3_server.empty_bucket(BUCKET)


def _move(app, to: str):
    db.session.commit()
    return app.test_cli_runner().invoke(args=["documents", "move-storage", "--to", to])


def _object_sha256(bucket, key: str) -> str:
    return hashlib.sha256(bucket.get_object(Bucket=BUCKET, Key=key)["Body"].read()).hexdigest()


def test_move_to_s3_copies_every_file_verified_and_is_safe_to_repeat(app, bucket):
    cycle = make_cycle()
    documents = [make_document(make_student(), cycle) for _ in range(3)]
    result = _move(app, "s3")
    assert result.exit_code == 0, result.output
    assert result.output == "3 documents: 3 copied to s3, 0 already there, 0 failed.\n"
    for document in documents:
        assert _object_sha256(bucket, document.stored_name) == document.sha256
        head = bucket.head_object(Bucket=BUCKET, Key=document.stored_name)
        assert head["ServerSideEncryption"] == "AES256"
    again = _move(app, "s3")
    assert again.output == "3 documents: 0 copied to s3, 3 already there, 0 failed.\n"


def test_a_file_whose_checksum_differs_is_not_copied_and_fails_the_command(app, bucket):
    cycle = make_cycle()
    good, damaged = make_document(make_student(), cycle), make_document(make_student(), cycle)
    document_path(damaged).write_bytes(b"%PDF-1.4 not the uploaded file")
    result = _move(app, "s3")
    assert result.exit_code == 1
    assert "1 copied to s3, 0 already there, 1 failed." in result.output
    assert f"document {damaged.id}: the source file's checksum differs" in result.output
    keys = [o["Key"] for o in bucket.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    assert keys == [good.stored_name]


def test_move_back_to_local_restores_missing_files(app, bucket):
    cycle = make_cycle()
    document = make_document(make_student(), cycle)
    content = document_path(document).read_bytes()
    assert _move(app, "s3").exit_code == 0
    document_path(document).unlink()
    result = _move(app, "local")
    assert result.exit_code == 0, result.output
    assert result.output == "1 documents: 1 copied to local, 0 already there, 0 failed.\n"
    assert document_path(document).read_bytes() == content


def test_without_a_bucket_the_command_says_so(app):
    from flask import current_app

    current_app.config["S3_BUCKET"] = None  # the command runs in the test's app context
    result = app.test_cli_runner().invoke(args=["documents", "move-storage", "--to", "s3"])
    assert result.exit_code == 2
    assert "S3_BUCKET is not set: name the bucket to move to or from." in result.output
