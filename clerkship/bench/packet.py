"""Benchmark of the printable application packet: an application with five documents.

On the demo season (its own database), one Emergency Medicine applicant gets five current
documents of realistic shape: a two-page CV, a three-page transcript, a letter of good
standing, a scanned BLS card (JPEG) and a photo (JPEG), the two images drawn on pages by
Pillow. The director downloads the whole packet from the file; the applicant's reviewer
downloads theirs (blinded as the round says) from the review page.
"""

from __future__ import annotations

import io

from flask import Flask
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from clerkship.accounts.models import User
from clerkship.applications.models import Application
from clerkship.bench import Measurement
from clerkship.bench.harness import bench_app, median_seconds
from clerkship.demo.pdf import make_pdf
from clerkship.documents.models import Document, DocumentKind
from clerkship.documents.services import upload_document
from clerkship.extensions import db
from clerkship.reviews.records import ReviewAssignment

DIRECTOR = "em.director@keck.example.edu"
TARGET_SECONDS = 2.0


def _pdf(pages: int, title: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in range(1, pages + 1):
        lines = [f"{title}, page {page} of {pages}"] + [
            f"Line {n} of the {title}." for n in range(40)
        ]
        writer.append(PdfReader(io.BytesIO(make_pdf(lines))))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _jpeg(size: tuple[int, int], colour: str) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    for x in range(0, size[0], 40):
        draw.line([(x, 0), (size[0] - x, size[1])], fill="white", width=3)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


FILES = (
    (DocumentKind.CV, "cv.pdf", lambda: _pdf(2, "Curriculum vitae")),
    (DocumentKind.TRANSCRIPT, "transcript.pdf", lambda: _pdf(3, "Transcript")),
    (DocumentKind.GOOD_STANDING, "good-standing.pdf", lambda: _pdf(1, "Letter of good standing")),
    (DocumentKind.BLS, "bls.jpg", lambda: _jpeg((1800, 1150), "darkred")),
    (DocumentKind.PHOTO, "photo.jpg", lambda: _jpeg((1200, 1500), "navy")),
)


def _prepare() -> tuple[Flask, str, str, str, int]:
    """The demo season with five documents on one reviewed EM application: the app, the
    director's and the reviewer's packet URLs, the reviewer's email, and the document count."""
    from clerkship.demo.seed import seed_demo

    app = bench_app("packet")
    app.logger.disabled = True
    with app.app_context(), app.test_request_context():
        seed_demo()
        assignment = db.session.scalars(
            select(ReviewAssignment)
            .join(Application, Application.id == ReviewAssignment.application_id)
            .where(Application.department.has(slug="emergency-medicine"))
            .order_by(ReviewAssignment.id)
        ).first()
        application = assignment.application
        student = application.student
        # The packet holds exactly these five: the demo's other documents are set aside.
        for document in db.session.scalars(
            select(Document).where(Document.owner_id == student.id, Document.replaced_at.is_(None))
        ):
            document.replaced_at = document.uploaded_at
        for kind, name, content in FILES:
            mimetype = "application/pdf" if name.endswith(".pdf") else "image/jpeg"
            upload_document(
                student,
                application.cycle,
                kind=kind,
                file_storage=FileStorage(
                    io.BytesIO(content()), filename=name, content_type=mimetype
                ),
                expires_on=application.cycle.rotations_end_on.replace(
                    year=application.cycle.rotations_end_on.year + 1
                )
                if kind.expires
                else None,
                by=student,
            )
        db.session.commit()
        staff_url = f"/departments/emergency-medicine/applications/{application.id}/packet.pdf"
        review_url = f"/reviews/assignments/{assignment.id}/packet.pdf"
        reviewer = assignment.reviewer.email
        count = db.session.scalar(
            select(db.func.count(Document.id)).where(
                Document.owner_id == student.id, Document.replaced_at.is_(None)
            )
        )
    return app, staff_url, review_url, reviewer, count


def _signed_in(app: Flask, email: str):
    client = app.test_client()
    with app.app_context():
        user_id = db.session.scalar(select(User).where(User.email == email)).get_id()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
    return client


def _timed(app: Flask, email: str, url: str) -> tuple[float, int, int]:
    """Median seconds of downloading url as email, its status and size."""
    client = _signed_in(app, email)
    last = {}

    def fetch() -> None:
        response = client.get(url)
        last["status"], last["size"] = response.status_code, len(response.get_data())

    seconds = median_seconds(fetch, repeats=5, warmup=1)
    return seconds, last["status"], last["size"]


def run(app: Flask) -> list[Measurement]:
    """The director's and the reviewer's packet of an application with five documents."""
    bench, staff_url, review_url, reviewer, count = _prepare()
    results = []
    for label, email, url in (
        ("director's whole packet", DIRECTOR, staff_url),
        ("reviewer's packet (blinded as the round says)", reviewer, review_url),
    ):
        seconds, status, size = _timed(bench, email, url)
        results.append(
            Measurement(
                f"Application packet PDF, {label}, {count} documents, median",
                f"< {TARGET_SECONDS:.0f} s",
                f"{seconds:.2f} s ({size // 1024} KB)",
                seconds < TARGET_SECONDS and status == 200 and count == len(FILES),
            )
        )
    return results
