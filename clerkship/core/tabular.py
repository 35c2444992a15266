"""Tables out as files: CSV streamed row by row, XLSX in openpyxl's write-only mode.

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


class _Line:
    """A file-like object that hands back what csv.writer wrote for one row."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text


def csv_stream(
    columns: list[Column], rows: Iterable[Any], *, excel: bool = False
) -> Iterator[bytes]:
    """CSV as UTF-8 chunks, one row at a time (Excel-friendly: a BOM and CRLF line ends)."""
    line = _Line()
    writer = csv.writer(line, lineterminator="\r\n" if excel else "\n")
    if excel:
        yield "\ufeff".encode()
    writer.writerow([c.header for c in columns])
    yield line.text.encode()
    for row in rows:
        line.text = ""
        writer.writerow([_csv_cell(c.value(row)) for c in columns])
        yield line.text.encode()


def _xlsx_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)  # openpyxl cannot store a zone; shown in local time
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return neutralize(value)
    return value


NUMBER_FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "money": '"$"#,##0.00'}


def xlsx_file(
    columns: list[Column], sheets: Iterable[tuple[str, Iterable[Any]]]
) -> io.BufferedRandom:
    """An XLSX workbook (one sheet per (title, rows)) in a temporary file, rewound."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1B2A41")
    used_titles: set[str] = set()
    for title, rows in sheets:
        sheet = workbook.create_sheet(_sheet_title(title, used_titles))
        sheet.freeze_panes = "A2"
        for index, column in enumerate(columns, start=1):
            width = column.width or max(10, min(40, len(column.header) + 4))
            sheet.column_dimensions[get_column_letter(index)].width = width
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=column.header)
            cell.font, cell.fill = header_font, header_fill
            cell.alignment = Alignment(vertical="center")
            header.append(cell)
        sheet.append(header)
        for row in rows:
            cells = []
            for column in columns:
                cell = WriteOnlyCell(sheet, value=_xlsx_value(column.value(row), column.kind))
                if column.kind in NUMBER_FORMATS:
                    cell.number_format = NUMBER_FORMATS[column.kind]
                cells.append(cell)
            sheet.append(cells)
    if not used_titles:
        workbook.create_sheet("Empty")
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (handed to the response, which closes it)
    workbook.save(handle)
    handle.seek(0)
    return handle


def _sheet_title(title: str, used: set[str]) -> str:
    """A valid, unique sheet title (31 characters, none of []:*?/\\)."""
    clean = "".join("-" if ch in "[]:*?/\\" else ch for ch in title)[:31] or "Sheet"
    candidate, n = clean, 2
    while candidate in used:
        suffix = f" ({n})"
        candidate, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate)
    return candidate
