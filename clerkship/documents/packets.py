"""One printable PDF of an application: a summary page drawn from our own HTML, then documents.

WeasyPrint renders the summary, fetching nothing (every URL is refused; the template carries
its own style). pypdf appends each document's pages, without the uploaded file's outline or
metadata (they may name the student). A JPEG or PNG (a photo, a scanned card) becomes one
letter-size page drawn by Pillow. A file that cannot be read is named on the summary
instead of failing the packet. Which documents go in is the caller's rule, never this
module's: the staff file and the reviewer's page each hand over what their viewer may see.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import TYPE_CHECKING

from flask import Response, current_app

from clerkship.core.downloads import as_download
from clerkship.documents.backends import StorageUnavailable, StoredObjectMissing, backend
from clerkship.documents.inspection import MAX_IMAGE_PIXELS
from clerkship.documents.models import Document
from clerkship.documents.storage import checked_name

if TYPE_CHECKING:
    from pypdf import PdfReader

# Letter paper at 150 dots per inch, with half-inch margins, for pages made from images.
DPI = 150
PAGE = (int(8.5 * DPI), 11 * DPI)
MARGIN = DPI // 2

# WeasyPrint and pypdf explain at length what they skip; the packet says what it left out.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


@dataclass(frozen=True)
class PacketSummary:
    """What the summary page says; built by the feature that knows the viewer's blinding."""

    title: str  # the applicant's name, or a reference that does not identify them
    context: str  # the department (or round) and the cycle
    facts: tuple[tuple[str, str], ...]
    choices: tuple[str, ...]
    statement: str
    withheld: tuple[tuple[str, str], ...] = ()  # (kind, why) of documents left out
    notice: str = ""


@dataclass(frozen=True)
class PacketPart:
    """One document of the packet: its pages once read, or None when its file is unreadable."""

    document: Document
    reader: PdfReader | None

    @property
    def label(self) -> str:
        return self.document.kind.label

    @property
    def pages(self) -> int:
        return len(self.reader.pages) if self.reader is not None else 0


def _read_file(document: Document) -> bytes | None:
    try:
        stream, _size = backend().open(checked_name(document))
    except (StoredObjectMissing, StorageUnavailable, ValueError):
        current_app.logger.warning("File of document %s not read for a packet", document.id)
        return None
    with stream:
        return stream.read()


def image_page(data: bytes) -> bytes:
    """A one-page letter-size PDF showing the image, scaled down to fit within the margins."""
    from PIL import Image, ImageOps

    with Image.open(BytesIO(data)) as image:
        if image.width * image.height > MAX_IMAGE_PIXELS:
            raise ValueError("image too large to draw")
        upright = ImageOps.exif_transpose(image).convert("RGBA")
    # Transparent parts print as the paper they are on, not black.
    picture = Image.new("RGB", upright.size, "white")
    picture.paste(upright, mask=upright.getchannel("A"))
    picture.thumbnail((PAGE[0] - 2 * MARGIN, PAGE[1] - 2 * MARGIN))
    page = Image.new("RGB", PAGE, "white")
    page.paste(picture, ((PAGE[0] - picture.width) // 2, MARGIN))
    out = BytesIO()
    page.save(out, "PDF", resolution=DPI)
    return out.getvalue()


def read_part(document: Document) -> PacketPart:
    """A document's pages for the packet (PDFs as they are, images drawn on a page)."""
    from PIL import UnidentifiedImageError
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    data = _read_file(document)
    if data is None:
        return PacketPart(document, None)
    try:
        if not data.startswith(b"%PDF-"):
            data = image_page(data)
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted or not reader.pages:
            return PacketPart(document, None)
        return PacketPart(document, reader)
    # Uploads were checked when they arrived; a file that still fails is named, not fatal.
    except (PyPdfError, UnidentifiedImageError, OSError, ValueError, KeyError):
        current_app.logger.warning(
            "File of document %s could not be read for a packet", document.id
        )
        return PacketPart(document, None)


def _refuse_fetch(url: str, *args, **kwargs):
    raise ValueError(f"the packet's summary fetches nothing ({url[:80]})")


def render_pdf(html: str) -> bytes:
    """Our own HTML as PDF; nothing outside the string is fetched."""
    from weasyprint import HTML

    return HTML(string=html, base_url=None, url_fetcher=_refuse_fetch).write_pdf()


def build_packet(
    documents: Sequence[Document], summary_html: Callable[[list[PacketPart]], str], *, title: str
) -> bytes:
    """The summary (rendered from the parts, so it can say what was left out), then each document."""
    from pypdf import PdfReader, PdfWriter

    parts = [read_part(document) for document in documents]
    writer = PdfWriter()
    writer.append(PdfReader(BytesIO(render_pdf(summary_html(parts)))), import_outline=False)
    for part in parts:
        if part.reader is not None:
            writer.append(part.reader, import_outline=False)
    writer.add_metadata({"/Title": title})
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def packet_filename(*words: str) -> str:
    """A file name anyone's system accepts: ASCII letters, digits and hyphens, then .pdf."""
    text = unicodedata.normalize("NFKD", " ".join(words)).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80].strip("-")
    return f"{stem or 'application-packet'}.pdf"


def send_packet(pdf: bytes, *name: str) -> Response:
    """The packet as an attachment named by name's words: not cached, not sniffed, sandboxed."""
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{packet_filename(*name)}"'
    return as_download(response)
