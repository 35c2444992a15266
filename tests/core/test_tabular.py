"""CSV and XLSX exports: Excel-safe CSV, formulas made inert, streaming, XLSX read back."""

from __future__ import annotations

import csv
import io
import tracemalloc
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from clerkship.core.tabular import Column, csv_stream, xlsx_file

COLUMNS = [
    Column("name", "Name", lambda r: r["name"]),
    Column("note", "Note", lambda r: r["note"]),
    Column("starts", "Starts", lambda r: r["starts"], kind="date"),
    Column("amount", "Amount", lambda r: r["amount"], kind="money"),
]
ROWS = [
    {
        "name": "Sofía Ramírez",
        "note": 'said "hi", then left\nlater',
        "starts": date(2027, 7, 1),
        "amount": Decimal("2000.00"),
    },
    {"name": '=HYPERLINK("http://x")', "note": "+1", "starts": None, "amount": None},
    {"name": "@SUM(A1)", "note": "-2", "starts": date(2027, 8, 1), "amount": Decimal("1000")},
]


def _read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_quotes_commas_quotes_and_newlines_and_neutralizes_formulas():
    rows = _read_csv(b"".join(csv_stream(COLUMNS, ROWS)))
    assert rows == [
        ["Name", "Note", "Starts", "Amount"],
        ["Sofía Ramírez", 'said "hi", then left\nlater', "2027-07-01", "2000.00"],
        ['\'=HYPERLINK("http://x")', "'+1", "", ""],
        ["'@SUM(A1)", "'-2", "2027-08-01", "1000"],
    ]


def test_excel_csv_has_bom_and_crlf():
    data = b"".join(csv_stream(COLUMNS, ROWS[:1], excel=True))
    assert data.startswith("\ufeff".encode())
    assert data.split(b"\r\n")[0] == "\ufeffName,Note,Starts,Amount".encode()


def test_csv_streams_without_memory_growing_with_rows():
    def row(i):
        return {
            "name": f"Student {i}",
            "note": "x" * 50,
            "starts": date(2027, 7, 1),
            "amount": Decimal(i),
        }

    def peak(n):
        tracemalloc.start()
        for _chunk in csv_stream(COLUMNS, (row(i) for i in range(n))):
            pass
        _current, high = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return high

    assert peak(20_000) < peak(1_000) + 64 * 1024


def test_xlsx_reads_back_with_dates_styles_and_frozen_header():
    handle = xlsx_file(COLUMNS, [("July block", ROWS[:1]), ("August: block", ROWS[2:])])
    workbook = load_workbook(handle)
    assert workbook.sheetnames == ["July block", "August- block"]
    sheet = workbook["July block"]
    assert [c.value for c in sheet[1]] == ["Name", "Note", "Starts", "Amount"]
    assert sheet[1][0].font.bold is True
    assert sheet.freeze_panes == "A2"
    assert sheet["C2"].value == datetime(2027, 7, 1)
    assert sheet["C2"].number_format == "yyyy-mm-dd"
    assert sheet["D2"].value == 2000
    assert workbook["August- block"]["A2"].value == "'@SUM(A1)"
