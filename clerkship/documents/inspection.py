"""What a file really is, judged by its content (never by its name)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pypdf import PdfReader
# pypdf and Pillow are imported where a file is inspected, not when the app starts.

FORMAT_NAMES = {"pdf": "a PDF", "jpeg": "a JPEG image", "png": "a PNG image"}
MEDIA_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
IMAGE_FORMATS = {"JPEG": "jpeg", "PNG": "png"}
# Larger images are refused rather than decoded (decompression bombs).
MAX_IMAGE_PIXELS = 50_000_000
# A PDF with more objects than this is refused rather than walked (a CV has a few hundred).
MAX_PDF_OBJECTS = 200_000

# Names that make a PDF do something when it is opened or clicked, and how to call them.
ACTIVE_PDF_NAMES = {
    "/JavaScript": "JavaScript (/JavaScript)",
    "/JS": "JavaScript (/JS)",
    "/Launch": "a command that launches a program (/Launch)",
    "/EmbeddedFile": "an embedded file (/EmbeddedFile)",
    "/EmbeddedFiles": "embedded files (/EmbeddedFiles)",
    "/AA": "additional actions run on events (/AA)",
    "/RichMedia": "rich media (/RichMedia)",
    "/XFA": "an XFA form (/XFA)",
}
OPEN_ACTION = "an action run when the file is opened (/OpenAction)"

# pypdf explains every repair it makes to a damaged file; a refused upload says enough.
logging.getLogger("pypdf").setLevel(logging.ERROR)


@dataclass(frozen=True)
class Inspection:
    """What a file is ("pdf", "jpeg", "png" or None) and the active content found in it."""

    format: str | None
    active_content: tuple[str, ...] = ()


def inspect_file(path: Path) -> Inspection:
    """Judge a file: a PDF must start with its header, parse strictly and hold no active
    content; an image must decode. Anything else is None."""
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(b"%PDF-"):
        return _inspect_pdf(path)
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
        return Inspection(_image_format(path))
    return Inspection(None)


def is_readable_pdf(path: Path) -> bool:
    """Whether the file is a PDF that parses completely and holds no active content."""
    found = inspect_file(path)
    return found.format == "pdf" and not found.active_content


def _inspect_pdf(path: Path) -> Inspection:
    from pypdf import PdfReader

    try:
        reader = PdfReader(path, strict=True)
        if reader.is_encrypted:
            return Inspection(None)  # password-protected: nobody here could read it
        pages = len(reader.pages)
        if not pages:
            return Inspection(None)
        for page in reader.pages:
            _ = page.mediabox
        return Inspection("pdf", active_pdf_content(reader))
    # A parser of untrusted input can fail in many ways; each means "not a usable PDF".
    except Exception:
        return Inspection(None)


def active_pdf_content(reader: PdfReader) -> tuple[str, ...]:
    """Descriptions of the active content reachable from the PDF's trailer, in a fixed order."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack: list = [reader.trailer]
    visited = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            raise ValueError("too many objects to inspect")
        if isinstance(item, DictionaryObject):
            for name, value in item.items():
                if name in ACTIVE_PDF_NAMES:
                    found.add(ACTIVE_PDF_NAMES[name])
                if name == "/OpenAction" and _is_action(value):
                    found.add(OPEN_ACTION)
                if isinstance(value, NameObject) and value in ACTIVE_PDF_NAMES:
                    found.add(ACTIVE_PDF_NAMES[value])
                stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    order = [*ACTIVE_PDF_NAMES.values(), OPEN_ACTION]
    return tuple(sorted(found, key=order.index))


def _is_action(value) -> bool:
    """An /OpenAction that runs an action other than going to a page (a destination is inert)."""
    from pypdf.generic import DictionaryObject, IndirectObject

    value = value.get_object() if isinstance(value, IndirectObject) else value
    return isinstance(value, DictionaryObject) and value.get("/S") != "/GoTo"


def _image_format(path: Path) -> str | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            fmt = IMAGE_FORMATS.get(image.format or "")
            if fmt is None or image.width * image.height > MAX_IMAGE_PIXELS:
                return None
            image.verify()
        return fmt
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
