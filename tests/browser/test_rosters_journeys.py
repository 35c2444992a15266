"""A coordinator filters the roster, downloads it as XLSX and CSV, verifies a document, opens the dashboard."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from clerkship.extensions import db
from tests.factories import PASSWORD, make_season
from tests.rosters.conftest import build_season

pytestmark = pytest.mark.browser


def test_coordinator_exports_tracks_documents_and_reads_the_dashboard(page: Page, live_server, axe):
    season = build_season()
    make_season(season.department, season.cycle)
    db.session.commit()
    cycle_name = season.cycle.name

    page.goto(live_server + "/login")
    axe.check(page)
    page.get_by_label("Email").fill("coord@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    axe.check(page)

    page.get_by_role("link", name="rosters", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Emergency Medicine: rosters and exports, {cycle_name}"
    )
    axe.check(page)
    page.get_by_label("Block", exact=True).select_option(label=season.july.label)
    for column in ("Student name", "Email", "Block starts", "Seat type"):
        page.get_by_label(column, exact=True).check()
    page.get_by_role("button", name="Show the first rows").click()
    expect(page.get_by_text("2 students.")).to_be_visible()
    axe.check(page)

    page.get_by_label("Excel workbook (XLSX)").check()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download").click()
    download = download_info.value
    assert download.suggested_filename.startswith(
        f"emergency-medicine-roster-{season.cycle.slug}-block-"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(download.path().read_bytes())).active
    assert [[c.value for c in row][::3] for row in sheet.iter_rows()] == [
        ["Student name", "Seat type"],
        ['\'=HYPERLINK("http://x")', "Reserved"],
        ["Ana Alvarez", "Open"],
    ]

    page.get_by_label("CSV for Excel (UTF-8 with BOM)").check()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download").click()
    with open(download_info.value.path(), encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(io.StringIO(handle.read(), newline="")))
    assert [r[1] for r in rows] == ["Email", "bad@example.org", "ana@example.org"]

    page.get_by_role("link", name="Onboarding", exact=True).click()
    axe.check(page)
    row = page.locator("tr", has_text="Ana Alvarez")
    expect(row).to_contain_text("Awaiting verification")
    row.get_by_role("link", name="Open the Immunization record of Ana Alvarez").click()
    axe.check(page)
    page.get_by_role("button", name="Verify", exact=True).click()
    expect(page.get_by_text("Immunization record of Ana Alvarez verified.")).to_be_visible()
    axe.check(page)
    page.get_by_label("Students", exact=True).select_option(label="Not yet cleared")
    page.get_by_role("button", name="Filter").click()
    axe.check(page)

    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Emergency Medicine: dashboard, {cycle_name}"
    )
    page.get_by_text("Data table: Seats filled by seat type").click()
    expect(page.get_by_role("table", name="Seats filled by seat type")).to_be_visible()
    axe.check(page)
