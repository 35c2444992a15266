"""`flask documents ...`: moving the stored files between the local folder and object storage."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from clerkship.documents.backends import make_backend
from clerkship.documents.models import Document
from clerkship.documents.storage import move_documents
from clerkship.extensions import db

documents_cli = click.Group("documents", help="Stored documents.")


@documents_cli.command("move-storage")
@click.option("--to", "target", type=click.Choice(["s3", "local"]), required=True)
@with_appcontext
def move_storage(target: str) -> None:
    """Copy every document's file to the other store, verifying each by its sha256.

    Safe to repeat: files already copied are checked and left. Then set
    STORAGE_BACKEND to the new store and restart; the old store keeps its copies.
    """
    source_kind = "local" if target == "s3" else "s3"
    if not current_app.config.get("S3_BUCKET"):
        raise click.UsageError("S3_BUCKET is not set: name the bucket to move to or from.")
    source = make_backend(current_app, source_kind)
    destination = make_backend(current_app, target)
    documents = list(db.session.scalars(select(Document).order_by(Document.id)))
    report = move_documents(documents, source, destination)
    click.echo(
        f"{len(documents)} documents: {report.copied} copied to {target}, "
        f"{report.present} already there, {len(report.failed)} failed."
    )
    for line in report.failed:
        click.echo(f"  {line}", err=True)
    if report.failed:
        raise SystemExit(1)
