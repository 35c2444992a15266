"""Exports out as HTTP responses (CSV streamed) or files (the command line)."""

from __future__ import annotations

import shutil
from typing import BinaryIO

from flask import Response, send_file, stream_with_context

from clerkship.core.tabular import csv_stream, xlsx_file
from clerkship.rosters.exports import Export

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_response(export: Export, fmt: str) -> Response:
    """The export as a download: CSV streamed row by row, XLSX from a temporary file."""
    filename = export.filename(fmt)
    if fmt == "xlsx":
        return send_file(
            xlsx_file(export.columns, export.sheets()),
            mimetype=XLSX_MIMETYPE,
            as_attachment=True,
            download_name=filename,
        )
    body = stream_with_context(csv_stream(export.columns, export.rows(), excel=fmt == "excel"))
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Content-Type": "text/csv; charset=utf-8",
        },
    )


def write_export(export: Export, fmt: str, out: BinaryIO) -> None:
    """The export written to an open binary file."""
    if fmt == "xlsx":
        with xlsx_file(export.columns, export.sheets()) as handle:
            shutil.copyfileobj(handle, out)
        return
    for chunk in csv_stream(export.columns, export.rows(), excel=fmt == "excel"):
        out.write(chunk)
