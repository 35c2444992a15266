"""Tables out as files: CSV streamed in chunks, XLSX in XlsxWriter's constant-memory mode;
and the first checks of a CSV list uploaded by staff (upload_text, column_keys).

Both take the same column list, so every export offers both formats. CSV cells that
a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a carriage
return) are prefixed with an apostrophe: opening an export never runs code.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    """One column: its key (for choosing columns), header, how to read a row, its kind."""

    key: str
    header: str
    value: Callable[[Any], Any]
    kind: str = "text"  # text, date, datetime, number, money
    width: int | None = None


def neutralize(value: str) -> str:
    """Make a text cell inert for spreadsheets (CSV injection)."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def _csv_cell(value: Any) -> str:
    if type(value) is str:  # the common case first: exports run this for every cell
        return "'" + value if value.startswith(FORMULA_PREFIXES) else value
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return str(value)
    return neutralize(str(value))


class _Buffer:
    """A file-like object that keeps what csv.writer wrote until it is taken."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0

    def write(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)

    def take(self) -> bytes:
        data = "".join(self.parts).encode()
        self.parts, self.size = [], 0
        return data


CSV_CHUNK = 16 * 1024  # characters per chunk sent: few writes, memory that does not grow


def csv_stream(
    columns: list[Column], rows: Iterable[Any], *, excel: bool = False
) -> Iterator[bytes]:
    """CSV as UTF-8 chunks of about 16 KB (Excel-friendly: a BOM and CRLF line ends)."""
    buffer = _Buffer()
    writer = csv.writer(buffer, lineterminator="\r\n" if excel else "\n")
    if excel:
        buffer.write("\ufeff")
    writer.writerow([c.header for c in columns])
    readers = [c.value for c in columns]
    for row in rows:
        writer.writerow([_csv_cell(read(row)) for read in readers])
        if buffer.size >= CSV_CHUNK:
            yield buffer.take()
    if buffer.size:
        yield buffer.take()


NUMBER_FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "money": '"$"#,##0.00'}


def xlsx_file(
    columns: list[Column], sheets: Iterable[tuple[str, Iterable[Any]]]
) -> io.BufferedRandom:
    """An XLSX workbook (one sheet per (title, rows)) in a temporary file, rewound.

    XlsxWriter in constant-memory mode writes each row to disk as it comes (its
    write-only mode), about half again as fast as openpyxl's. Text is always written as
    text (never read as a formula or a link), dates as dates.
    """
    import xlsxwriter

    handle = tempfile.TemporaryFile()  # noqa: SIM115 (handed to the response, which closes it)
    workbook = xlsxwriter.Workbook(
        handle,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": NUMBER_FORMATS["date"],
        },
    )
    header = workbook.add_format(
        {"bold": True, "font_color": "#FFFFFF", "bg_color": "#1B2A41", "valign": "vcenter"}
    )
    formats = {kind: workbook.add_format({"num_format": f}) for kind, f in NUMBER_FORMATS.items()}
    kinds = [formats.get(c.kind) for c in columns]
    used_titles: set[str] = set()
    for title, rows in sheets:
        sheet = workbook.add_worksheet(_sheet_title(title, used_titles))
        sheet.freeze_panes(1, 0)
        for index, column in enumerate(columns):
            sheet.set_column(index, index, column.width or max(10, min(40, len(column.header) + 4)))
        for index, column in enumerate(columns):
            sheet.write_string(0, index, column.header, header)
        readers = [c.value for c in columns]
        for number, row in enumerate(rows, start=1):
            for index, read in enumerate(readers):
                _write_cell(sheet, number, index, read(row), kinds[index])
    if not used_titles:
        workbook.add_worksheet("Empty")
    workbook.close()
    handle.seek(0)
    return handle


def _write_cell(sheet, row: int, col: int, value: Any, cell_format) -> None:
    if type(value) is str:
        if value:
            sheet.write_string(row, col, neutralize(value))
    elif value is None:
        return
    elif isinstance(value, bool):
        sheet.write_string(row, col, "yes" if value else "no")
    elif isinstance(value, datetime):
        sheet.write_datetime(row, col, value.replace(tzinfo=None), cell_format)
    elif isinstance(value, date):
        sheet.write_datetime(row, col, value, cell_format)
    elif isinstance(value, int | float | Decimal):
        sheet.write_number(row, col, float(value), cell_format)
    else:
        sheet.write_string(row, col, neutralize(str(value)))


def _sheet_title(title: str, used: set[str]) -> str:
    """A valid, unique sheet title (31 characters, none of []:*?/\\)."""
    clean = "".join("-" if ch in "[]:*?/\\" else ch for ch in title)[:31] or "Sheet"
    candidate, n = clean, 2
    while candidate in used:
        suffix = f" ({n})"
        candidate, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate)
    return candidate


def upload_text(data: bytes, max_bytes: int) -> tuple[str | None, str | None]:
    """An uploaded CSV list's text, or why it cannot be read: too large, not a text file,
    not UTF-8 (a byte-order mark is dropped)."""
    if len(data) > max_bytes:
        return None, f"The file is larger than {max_bytes // (1024 * 1024)} MB."
    if b"\x00" in data:
        return None, "The file is not a CSV text file."
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return None, "The file is not UTF-8 text: save it as “CSV UTF-8” and upload it again."


def column_keys(header: list[str] | None, names: dict[str, str], unknown: Any = None) -> list:
    """Each header cell's key in names, matched without case, extra spaces or underscores
    ("AAMC_ID", "aamc id"); `unknown` for a cell names does not know."""
    return [
        names.get(" ".join(cell.strip().lower().replace("_", " ").split()), unknown)
        for cell in header or []
    ]
