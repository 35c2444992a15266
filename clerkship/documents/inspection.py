"""What a file really is, judged by its content (never by its name)."""

from __future__ import annotations

import logging
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader

FORMAT_NAMES = {"pdf": "a PDF", "jpeg": "a JPEG image", "png": "a PNG image"}
MEDIA_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
IMAGE_FORMATS = {"JPEG": "jpeg", "PNG": "png"}
# Larger images are refused rather than decoded (decompression bombs).
MAX_IMAGE_PIXELS = 50_000_000

# pypdf explains every repair it makes to a damaged file; a refused upload says enough.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def detect_format(path: Path) -> str | None:
    """ "pdf", "jpeg" or "png" when the file is a readable one of those, else None."""
    with open(path, "rb") as handle:
        head = handle.read(1024)
    if b"%PDF-" in head:
        return "pdf" if is_readable_pdf(path) else None
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
        return _image_format(path)
    return None


def is_readable_pdf(path: Path) -> bool:
    """Whether pypdf can open the file and find at least one page in it."""
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return False  # password-protected: nobody here could read it
        pages = len(reader.pages)
        if pages:
            _ = reader.pages[0].mediabox
        return pages > 0
    # A parser of untrusted input can fail in many ways; each means "not a usable PDF".
    except Exception:
        return False


def _image_format(path: Path) -> str | None:
    try:
        with Image.open(path) as image:
            fmt = IMAGE_FORMATS.get(image.format or "")
            if fmt is None or image.width * image.height > MAX_IMAGE_PIXELS:
                return None
            image.verify()
        return fmt
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
