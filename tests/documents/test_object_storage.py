"""Documents in an S3-compatible bucket: a real S3-protocol server (moto) in a process of its
own, behind a proxy the tests can cut to make an outage."""

from __future__ import annotations

import hashlib
import io

import pytest
from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.applications.models import ApplicationState
from clerkship.audit.models import AuditEvent
from clerkship.core.rules import RuleViolation
from clerkship.demo.pdf import make_pdf
from clerkship.documents.models import Document, DocumentKind
from clerkship.documents.storage import save_upload, upload_folder
from clerkship.extensions import db
from tests.conftest import login
from tests.factories import make_application, make_cycle, make_department, make_student, make_user
from tests.object_storage import FlakyProxy, s3_config

BUCKET = "clerkship-documents"


@pytest.fixture(scope="module")
def proxy(s3_server):
    line = FlakyProxy(s3_server.port)
    yield line
    line.close()


@pytest.fixture
def app_config(proxy):
    return s3_config(proxy, BUCKET)


@pytest.fixture
def bucket(s3_server, proxy):
    proxy.heal()
    s3_server.make_bucket(BUCKET)
    s3_server.empty_bucket(BUCKET)
    yield s3_server.client()
    proxy.heal()
    s3_server.empty_bucket(BUCKET)


def _keys(bucket) -> list[str]:
    return sorted(o["Key"] for o in bucket.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def _post(client, content: bytes, name: str = "cv.pdf"):
    data = {"kind": "cv", "expires_on": "", "file": (io.BytesIO(content), name)}
    return client.post("/documents/", data=data, content_type="multipart/form-data")


def _documents() -> list[Document]:
    db.session.commit()
    return list(db.session.scalars(select(Document).order_by(Document.id)))


@pytest.fixture
def student(client):
    make_cycle()
    student = make_student()
    login(client, student)
    return student


def test_upload_is_a_private_encrypted_object_and_nothing_on_local_disk(client, student, bucket):
    content = make_pdf(["Curriculum vitae"])
    before = set(upload_folder().iterdir())
    assert _post(client, content, "Currículo.pdf").status_code == 302
    (document,) = _documents()
    assert _keys(bucket) == [document.stored_name]
    head = bucket.head_object(Bucket=BUCKET, Key=document.stored_name)
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ContentType"] == "application/pdf"
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=document.stored_name)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]  # the owner only: private
    assert set(upload_folder().iterdir()) == before
    stored = bucket.get_object(Bucket=BUCKET, Key=document.stored_name)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == document.sha256


def test_download_streams_through_the_app_with_the_usual_headers(client, student, bucket):
    content = make_pdf(["Curriculum vitae"])
    _post(client, content, "Currículo.pdf")
    (document,) = _documents()
    response = client.get(f"/documents/{document.id}")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.data == content
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Length"] == str(len(content))
    assert "filename*=UTF-8''Curr%C3%ADculo.pdf" in response.headers["Content-Disposition"]
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    page = client.get("/documents/").get_data(as_text=True)
    assert BUCKET not in page and "127.0.0.1" not in page  # never a link to the bucket


def test_staff_download_from_the_bucket_is_checked_and_audited(client, bucket):
    cycle, department = make_cycle(), make_department()
    applicant = make_student()
    make_application(applicant, department, cycle, state=ApplicationState.SUBMITTED)
    login(client, applicant)
    _post(client, make_pdf(["cv"]))
    (document,) = _documents()
    login(client, make_user((Role.COORDINATOR, make_department())))
    assert client.get(f"/documents/{document.id}").status_code == 403
    coordinator = make_user((Role.COORDINATOR, department))
    login(client, coordinator)
    assert client.get(f"/documents/{document.id}").status_code == 200
    db.session.rollback()
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "document.download")
    ).all()
    assert [(e.actor_id, e.subject_user_id) for e in events] == [(coordinator.id, applicant.id)]


def test_a_rolled_back_upload_leaves_no_object(app, bucket):
    save_upload(io_file(make_pdf(["x"])), kind=DocumentKind.CV)
    assert len(_keys(bucket)) == 1
    db.session.rollback()
    assert _keys(bucket) == []


def test_refused_content_stores_nothing(app, bucket):
    with pytest.raises(RuleViolation):
        save_upload(io_file(b"MZ\x90\x00" + b"\x00" * 500), kind=DocumentKind.CV)
    db.session.rollback()
    assert _keys(bucket) == []


@pytest.mark.parametrize("outage", ["down", "line drops mid-upload"])
def test_outage_during_upload_is_explained_and_leaves_neither_row_nor_object(
    client, student, bucket, proxy, outage
):
    content = make_pdf(["Curriculum vitae"] * 40)
    if outage == "down":
        proxy.cut()
    else:
        proxy.cut_after(len(content) // 2)
    response = _post(client, content)
    proxy.heal()
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    error = html.split('id="file-error"')[1].split("</div>")[0]
    assert "We could not store your file just now" in error
    assert "Nothing was saved; please try again in a few minutes." in error
    assert _documents() == []
    assert _keys(bucket) == []
    # Once the store is back, the same upload goes through.
    assert _post(client, content).status_code == 302
    (document,) = _documents()
    assert _keys(bucket) == [document.stored_name]


def test_download_during_an_outage_is_a_503_page_not_a_500(client, student, bucket, proxy):
    _post(client, make_pdf(["cv"]))
    (document,) = _documents()
    proxy.cut()
    response = client.get(f"/documents/{document.id}")
    assert response.status_code == 503


def test_readiness_reports_the_store(client, bucket, proxy):
    admin = make_user(Role.ADMIN)
    assert client.get("/readyz").get_json() == {"status": "ready"}
    proxy.cut()
    anonymous = client.get("/readyz")
    assert (anonymous.status_code, anonymous.get_json()) == (503, {"status": "not ready"})
    login(client, admin)
    details = client.get("/readyz").get_json()["checks"]
    assert details["storage"]["ok"] is False
    assert details["database"]["ok"] is True


def io_file(content: bytes, name: str = "cv.pdf"):
    from werkzeug.datastructures import FileStorage

    return FileStorage(io.BytesIO(content), filename=name)
