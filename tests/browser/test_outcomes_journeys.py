"""An admin reads the outcome report across three cycles; a director imports a match list
through its preview; axe checks every page (1280 and 390 px)."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from clerkship.accounts.models import Role
from clerkship.applications.models import ApplicationState
from clerkship.extensions import db
from clerkship.outcomes import services
from clerkship.outcomes.models import ListKind
from tests.browser.journeys import sign_in
from tests.factories import (
    make_application,
    make_cycle,
    make_department,
    make_profile,
    make_student,
    make_user,
)

pytestmark = pytest.mark.browser


def _three_seasons(department):
    """Cycles 2024 to 2026: 6 pathway and 7 other applicants each, 5 and 6 of them ranked."""
    cycles = []
    serial = 0
    for year in (2024, 2025, 2026):
        cycle = make_cycle(
            name=f"{year}–{year + 1}",
            slug=f"{year}-{year + 1}",
            rotations_start_on=date(year, 7, 1),
            rotations_end_on=date(year, 12, 31),
        )
        emails = []
        for pathway, size in ((True, 6), (False, 7)):
            for n in range(size):
                serial += 1
                student = make_student(email=f"applicant{serial}@example.org")
                make_profile(student, aamc_id=f"{40000000 + serial}")
                make_application(
                    student, department, cycle, state=ApplicationState.SUBMITTED, in_pathway=pathway
                )
                if n < size - 1:
                    emails.append(student.email)
        text = "Email,Rank\n" + "".join(f"{e},{i}\n" for i, e in enumerate(emails, 1))
        preview = services.preview_list(department, cycle, ListKind.RANK, text.encode())
        services.replace_list(department, cycle, ListKind.RANK, preview, by=make_user(Role.ADMIN))
        cycles.append(cycle)
    return cycles


def test_admin_reads_three_cycles_and_director_imports_a_match_list(
    page: Page, live_server, axe, tmp_path
):
    department = make_department(name="Emergency Medicine", slug="em-outcomes")
    cycles = _three_seasons(department)
    admin = make_user(Role.ADMIN)
    director = make_user((Role.DIRECTOR, department))
    db.session.commit()

    sign_in(page, live_server, admin.email, axe)
    page.get_by_role("link", name="Outcomes of the program, by cycle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Outcomes: All programs")
    axe.check(page)
    funnel = page.locator("#funnel-table")
    expect(funnel.get_by_role("row", name="Applied 6 7 13 100%", exact=True)).to_be_visible()
    page.get_by_label("Cycle", exact=True).select_option(label=cycles[0].name)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name=f"The funnel, {cycles[0].name}")).to_be_visible()
    expect(funnel.get_by_role("row", name="Ranked 5 6 11 83%", exact=True)).to_be_visible()
    expect(funnel.get_by_role("row", name="Matched here 0 0 0 0%", exact=True)).to_be_visible()
    trend = page.get_by_role("figure", name="Matched here, by cycle")
    trend.get_by_text("Data table: Matched here, by cycle").click()
    for cycle in cycles:
        expect(trend.get_by_role("row", name=f"{cycle.name} 0 0", exact=True)).to_be_visible()
    axe.check(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, director.email, axe)
    page.goto(live_server + f"/departments/{department.slug}/outcomes?cycle={cycles[-1].slug}")
    axe.check(page)
    page.get_by_role("link", name="Import the match list").click()
    axe.check(page)
    upload = tmp_path / "match.csv"
    upload.write_text("Email\napplicant27@example.org\nnobody@example.org\n1234\n")
    page.get_by_label("List (CSV)").set_input_files(str(upload))
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#list-errors")).to_contain_text(
        "Line 4: “1234” is not a valid email address."
    )
    expect(page.get_by_role("button", name="Save the match list (1 applicant(s))")).to_have_count(0)
    axe.check(page)
    upload.write_text("Email\napplicant27@example.org\nnobody@example.org\n")
    page.get_by_label("List (CSV)").set_input_files(str(upload))
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#list-found")).to_contain_text("Line 2:")
    expect(page.locator("#list-not-found")).to_contain_text(
        f"Line 3: no applicant to Emergency Medicine in {cycles[-1].name} has the email nobody@example.org."
    )
    axe.check(page)
    page.get_by_role("button", name="Save the match list (1 applicant(s))").click()
    expect(
        page.get_by_text(
            f"Match list of Emergency Medicine, {cycles[-1].name}, saved: 1 applicant(s)."
        )
    ).to_be_visible()
    expect(page.get_by_text("Match list: 1 applicant(s)")).to_be_visible()
    axe.check(page)
