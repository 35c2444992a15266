"""The department's application list at season size: compact rows, review figures, sorting,
search, filters in the URL, paging, the export as filtered and the bulk actions."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

from clerkship.accounts.models import Role
from clerkship.applications.models import ApplicationState
from clerkship.audit.models import AuditEvent
from clerkship.documents.models import DocumentKind
from clerkship.extensions import db
from clerkship.outbox.models import OutboxMessage
from clerkship.reviews.models import Conflict
from clerkship.reviews.ranking import composites
from clerkship.reviews.records import ReviewAssignment
from tests.conftest import login
from tests.factories import (
    make_application,
    make_assignment,
    make_block,
    make_cycle,
    make_department,
    make_document,
    make_profile,
    make_review,
    make_review_round,
    make_reviewer,
    make_rotation,
    make_rubric,
    make_student,
    make_user,
)

S = ApplicationState
URL = "/departments/emergency-medicine/applications/"


@pytest.fixture
def app_config():
    return {"PAGE_SIZE": 3}


@pytest.fixture
def season(client):
    """Emergency Medicine with two blocks, a director signed in, and a review round."""
    cycle = make_cycle()
    department = make_department(
        name="Emergency Medicine",
        slug="emergency-medicine",
        required_documents="cv",
        letters_required=0,
    )
    rotation = make_rotation(department, title="EM Sub-Internship")
    peds = make_rotation(department, title="Pediatric EM")
    july, august = make_block(rotation, cycle, month=7), make_block(peds, cycle, month=8)
    director = make_user((Role.DIRECTOR, department), full_name="Dr Director")
    review_round = make_review_round(department, cycle)
    rubric = make_rubric(review_round)
    login(client, director)
    return type(
        "Season",
        (),
        dict(
            cycle=cycle,
            department=department,
            july=july,
            august=august,
            director=director,
            review_round=review_round,
            rubric=rubric,
        ),
    )


def _apply(s, name, blocks, state=S.SUBMITTED, **profile):
    first, _, last = name.partition(" ")
    student = make_student(full_name=name, email=f"{first.lower()}.{last.lower()}@med.example.edu")
    if profile:
        make_profile(student, **({"legal_first_name": first, "legal_last_name": last} | profile))
    return make_application(student, s.department, s.cycle, blocks=blocks, state=state)


def _names(html: str) -> list[str]:
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r'<a href="/departments/[^"]+/applications/[0-9]+">([^<]+)</a>', body)


def _cells(html: str, name: str) -> list[str]:
    """The text of each cell of the row naming name."""
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    row = next(r for r in body.split("<tr>") if f">{name}</a>" in r)
    cells = re.findall(r"<td>(.*?)</td>", row, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells]


def _all_pages(client, query: str) -> list[str]:
    names, page = [], 1
    while True:
        html = client.get(f"{URL}?{query}&page={page}").get_data(as_text=True)
        found = _names(html)
        if not found:
            return names
        names += found
        page += 1


def _scored(s, application, levels_by_reviewer):
    """Reviews submitted by these reviewers with these levels; composites refreshed."""
    for reviewer, levels in levels_by_reviewer:
        assignment = make_assignment(s.review_round, application, reviewer)
        if levels is not None:
            make_review(assignment, s.rubric, levels)
    composites.refresh(s.review_round)


def test_rows_show_the_first_choice_and_a_count_of_the_others(client, season):
    _apply(season, "Ana Both", [season.august, season.july])
    _apply(season, "Ben One", [season.july])
    html = client.get(URL + "?sort=name").get_data(as_text=True)
    assert _cells(html, "Ana Both")[3] == "Pediatric EM, Aug 1 and 1 other"
    assert _cells(html, "Ben One")[3] == "EM Sub-Internship, Jul 1"


def test_directors_see_review_progress_and_the_composite(client, season):
    one, two = make_reviewer(season.department), make_reviewer(season.department)
    done = _apply(season, "Done Dana", [season.july])
    half = _apply(season, "Half Hal", [season.july])
    _apply(season, "None Nia", [season.july])
    _scored(season, done, [(one, [5, 5, 5]), (two, [3, 3, 3])])
    _scored(season, half, [(one, [2, 2, 2]), (two, None)])
    html = client.get(URL + "?sort=name").get_data(as_text=True)
    assert _cells(html, "Done Dana")[4:6] == ["2 of 2", "4.00"]
    assert _cells(html, "Half Hal")[4:6] == ["1 of 2", "2.00"]
    assert _cells(html, "None Nia")[4:6] == ["No reviewer yet", ""]
    assert _names(client.get(URL + "?sort=-score").get_data(as_text=True)) == [
        "Done Dana",
        "Half Hal",
        "None Nia",
    ]
    # Unscored rows come last whichever way the scores are sorted.
    assert _names(client.get(URL + "?sort=score").get_data(as_text=True)) == [
        "Half Hal",
        "Done Dana",
        "None Nia",
    ]
    assert _names(client.get(URL + "?reviews=waiting").get_data(as_text=True)) == ["Half Hal"]
    assert _names(client.get(URL + "?reviews=complete").get_data(as_text=True)) == ["Done Dana"]
    assert _names(client.get(URL + "?reviews=unassigned").get_data(as_text=True)) == ["None Nia"]


def test_a_director_with_a_review_to_do_does_not_see_that_score(client, season):
    reviewer = make_reviewer(season.department)
    application = _apply(season, "Own Review", [season.july])
    _scored(season, application, [(reviewer, [4, 4, 4]), (season.director, None)])
    html = client.get(URL).get_data(as_text=True)
    assert _cells(html, "Own Review")[4:6] == ["1 of 2", ""]


def test_coordinators_see_no_review_figures(client, season):
    reviewer = make_reviewer(season.department)
    _scored(season, _apply(season, "Scored Sam", [season.july]), [(reviewer, [4, 4, 4])])
    login(client, make_user((Role.COORDINATOR, season.department)))
    html = client.get(URL).get_data(as_text=True)
    assert "Composite" not in html and "Assign a reviewer" not in html
    assert _cells(html, "Scored Sam")[4] == "Submitted"
    # Sorting by a figure they do not see falls back to the default order; no error.
    assert client.get(URL + "?sort=-score&reviews=complete").status_code == 200


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Alba Zed", "Bea Young", "Cruz Xu"]),
        ("-name", ["Cruz Xu", "Bea Young", "Alba Zed"]),
        ("school", ["Cruz Xu", "Bea Young", "Alba Zed"]),
        ("-school", ["Alba Zed", "Bea Young", "Cruz Xu"]),
        ("first_choice", ["Bea Young", "Alba Zed", "Cruz Xu"]),
        ("-first_choice", ["Alba Zed", "Bea Young", "Cruz Xu"]),
        ("state", ["Cruz Xu", "Alba Zed", "Bea Young"]),
        ("submitted", ["Alba Zed", "Bea Young", "Cruz Xu"]),
        ("-submitted", ["Cruz Xu", "Bea Young", "Alba Zed"]),
        ("reviews", ["Alba Zed", "Cruz Xu", "Bea Young"]),
        ("-reviews", ["Bea Young", "Cruz Xu", "Alba Zed"]),
    ],
)
def test_every_column_sorts_both_ways(client, season, sort, expected):
    reviewer = make_reviewer(season.department)
    alba = _apply(season, "Alba Zed", [season.august], medical_school="Zeta School")
    bea = _apply(season, "Bea Young", [season.july], medical_school="Mid School")
    cruz = _apply(season, "Cruz Xu", [], state=S.OFFERED, medical_school="Alpha School")
    for order, application in enumerate((alba, bea, cruz)):
        application.submitted_at = application.submitted_at + timedelta(hours=order)
    _scored(season, bea, [(reviewer, [4, 4, 4])])
    _scored(season, cruz, [(make_reviewer(season.department), None)])
    html = client.get(f"{URL}?sort={sort}").get_data(as_text=True)
    assert _names(html) == expected
    key = sort.lstrip("-")
    direction = "descending" if sort.startswith("-") else "ascending"
    assert re.search(rf'<th scope="col" aria-sort="{direction}"><a href="[^"]*sort=-?{key}', html)


def test_search_by_name_email_and_aamc_id(client, season):
    _apply(season, "Mei Chen", [season.july], legal_first_name="Meiling", aamc_id="12345678")
    _apply(season, "Luis Diaz", [season.july], legal_first_name="Luis", aamc_id="87654321")
    _apply(season, "Per Cent", [season.july])
    assert _names(client.get(URL + "?q=diaz%40med").get_data(as_text=True)) == ["Luis Diaz"]
    assert _names(client.get(URL + "?q=2345678").get_data(as_text=True)) == ["Meiling Chen"]
    assert _names(client.get(URL + "?q=MEILING").get_data(as_text=True)) == ["Meiling Chen"]
    # LIKE's wildcards are searched for as characters.
    assert _names(client.get(URL + "?q=%25").get_data(as_text=True)) == []
    assert _names(client.get(URL + "?q=_").get_data(as_text=True)) == []


def test_filters_stay_in_the_url_of_sorting_and_paging(client, season):
    for n in range(5):
        _apply(season, f"July {n}", [season.july])
    _apply(season, "August Only", [season.august])
    html = client.get(f"{URL}?block={season.july.id}&sort=-name").get_data(as_text=True)
    assert _names(html) == ["July 4", "July 3", "July 2"]
    assert f'href="{URL}?block={season.july.id}&amp;sort=-name&amp;page=2"' in html
    assert f'href="{URL}?block={season.july.id}&amp;sort=name"' in html  # the Name header
    second = client.get(f"{URL}?block={season.july.id}&sort=-name&page=2").get_data(as_text=True)
    assert _names(second) == ["July 1", "July 0"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("sort=evil", "The query argument “sort” must be one of"),
        ("reviews=some", "The query argument “reviews” must be one of"),
        ("page=0", "The query argument “page” must be a whole number from 1 to"),
        ("page=99999999999999999999", "The query argument “page” must be a whole number"),
        ("block=9999999999", "The query argument “block” must be one of"),
        ("q=" + "x" * 101, "The query argument “q” must be a single line of at most 100"),
        ("q=a%00b", "The query argument “q” must be a single line"),
        ("state=draft", "The query argument “state” must be one of"),
    ],
)
def test_bad_query_arguments_are_a_clear_400(client, season, query, message):
    _apply(season, "Anyone", [season.july])
    # The export reads the same filter (it has no pages).
    for url in (URL,) if query.startswith("page") else (URL, URL + "export"):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)


def test_csv_export_is_the_list_as_filtered(client, season):
    reviewer = make_reviewer(season.department)
    for n in range(5):
        application = _apply(season, f"July {n}", [season.july], aamc_id=f"1000000{n}")
        if n == 2:
            _scored(season, application, [(reviewer, [5, 4, 3])])
    _apply(season, "August Only", [season.august])
    _apply(season, "Withdrawn July", [season.july], state=S.WITHDRAWN)
    query = f"block={season.july.id}&state=submitted&sort=-name"
    listed = _all_pages(client, query)
    assert listed == ["July 4", "July 3", "July 2", "July 1", "July 0"]
    response = client.get(f"{URL}export?format=csv&{query}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="applications-emergency-medicine-{season.cycle.slug}.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["Name"] for r in rows] == listed
    july2 = rows[2]
    assert (july2["Email"], july2["AAMC ID"], july2["First choice"]) == (
        "july.2@med.example.edu",
        "10000002",
        "EM Sub-Internship",
    )
    assert (july2["Reviewers assigned"], july2["Reviews in"], july2["Composite score"]) == (
        "1",
        "1",
        "4.33",
    )
    assert july2["UIM pathway"] == "no" and july2["Status"] == "Submitted"
    # The page links to the export with its filter and order.
    html = client.get(f"{URL}?{query}").get_data(as_text=True)
    assert "export?format=csv&amp;cycle=" in html and "sort=-name" in html


def test_xlsx_export_has_the_same_rows(client, season):
    for name in ("Cara", "Abe", "Bo"):
        _apply(season, f"{name} Student", [season.july])
    response = client.get(f"{URL}export?format=xlsx&sort=name")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("Name", "Email", "AAMC ID")
    assert [row[0] for row in values[1:]] == ["Abe Student", "Bo Student", "Cara Student"]


def _selection(s, *ids, all_matching=False, scope=""):
    data = {
        "selection_source": "applications",
        "selection_scope": f"cycle={s.cycle.slug}" + (f"&{scope}" if scope else ""),
        "selected": [str(i) for i in ids],
    }
    if all_matching:
        data["selection_all"] = "1"
    return data


def test_export_of_the_selection_holds_only_the_ticked_rows_still_matching(client, season):
    a = _apply(season, "Ann Pick", [season.july])
    b = _apply(season, "Bob Skip", [season.july])
    c = _apply(season, "Cat Pick", [season.august])
    other = make_application(
        make_student(), make_department(), season.cycle, state=S.SUBMITTED, blocks=[]
    )
    data = _selection(season, a.id, c.id, other.id, scope=f"block={season.july.id}")
    response = client.post(URL + "export-selected?format=csv", data=data)
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["Name"] for r in rows] == ["Ann Pick"]
    everyone = client.post(
        URL + "export-selected?format=csv", data=_selection(season, all_matching=True)
    )
    names = [r["Name"] for r in csv.DictReader(io.StringIO(everyone.get_data(as_text=True)[1:]))]
    assert sorted(names) == ["Ann Pick", "Bob Skip", "Cat Pick"]
    assert b.id  # ticked by nobody, exported only with all matching


def test_assigning_a_reviewer_to_a_mixed_selection(client, season):
    reviewer = make_reviewer(season.department, full_name="Rita Reviewer")
    fresh = _apply(season, "Fresh Fay", [season.july])
    already = _apply(season, "Already Al", [season.july])
    conflicted = _apply(season, "Conflict Cy", [season.july])
    withdrawn = _apply(season, "Gone Gil", [season.july], state=S.WITHDRAWN)
    make_assignment(season.review_round, already, reviewer)
    db.session.add(
        Conflict(
            reviewer_id=reviewer.id,
            student_email=conflicted.student.email,
            reason="a former student of mine",
        )
    )
    db.session.commit()
    ids = (fresh.id, already.id, conflicted.id, withdrawn.id)
    page = client.post(
        "/departments/emergency-medicine/reviews/assign-selected", data=_selection(season, *ids)
    )
    assert page.status_code == 200
    assert "Assign a reviewer to 4 applications" in page.get_data(as_text=True)
    data = _selection(season, *ids) | {"action": "assign", "reviewer": str(reviewer.id)}
    response = client.post(
        "/departments/emergency-medicine/reviews/assign-selected", data=data, follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert "Rita Reviewer now reviews 1 more application." in html
    assert "Already Al (Rita Reviewer already reviews it)" in html
    assert "Conflict Cy (a conflict of interest (" in html
    assert "Gone Gil (the application is not part of this round)" in html
    assigned = set(
        db.session.scalars(
            select(ReviewAssignment.application_id).where(
                ReviewAssignment.reviewer_id == reviewer.id
            )
        )
    )
    assert assigned == {fresh.id, already.id}
    # The same form again assigns nothing twice.
    again = client.post(
        "/departments/emergency-medicine/reviews/assign-selected", data=data, follow_redirects=True
    ).get_data(as_text=True)
    assert "Nothing was done." in again and "Fresh Fay (Rita Reviewer already reviews it)" in again
    count = db.session.scalar(
        select(func.count(ReviewAssignment.id)).where(ReviewAssignment.reviewer_id == reviewer.id)
    )
    assert count == 2


def test_assigning_needs_a_reviewer_and_keeps_the_selection(client, season):
    application = _apply(season, "Keep Me", [season.july])
    data = _selection(season, application.id) | {"action": "assign", "reviewer": "0"}
    response = client.post("/departments/emergency-medicine/reviews/assign-selected", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose a reviewer." in html or "Choose a reviewer from the list." in html
    assert f'name="selected" value="{application.id}"' in html


def test_coordinators_may_not_assign_reviewers(client, season):
    application = _apply(season, "Not Yours", [season.july])
    login(client, make_user((Role.COORDINATOR, season.department)))
    response = client.post(
        "/departments/emergency-medicine/reviews/assign-selected",
        data=_selection(season, application.id),
    )
    assert response.status_code == 403


def _reminders() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.template == "missing_items_reminder")
            .order_by(OutboxMessage.id)
        )
    )


def test_reminding_a_mixed_selection_of_missing_items(client, season):
    missing = _apply(season, "Missing Mo", [season.july])
    complete = _apply(season, "Complete Cam", [season.july])
    make_document(complete.student, season.cycle, DocumentKind.CV)
    withdrawn = _apply(season, "Withdrawn Wu", [season.july], state=S.WITHDRAWN)
    data = _selection(season, missing.id, complete.id, withdrawn.id)
    html = client.post(URL + "remind-selected", data=data, follow_redirects=True).get_data(
        as_text=True
    )
    assert "Reminded 1 applicant of what their application still lacks" in html
    assert "Complete Cam (nothing is missing)" in html
    assert "Withdrawn Wu (the application is withdrawn)" in html
    sent = _reminders()
    assert [m.to_address for m in sent] == [missing.student.email]
    assert "- CV: not uploaded yet" in sent[0].body_text
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.action == "applications.missing_items_reminded"
            )
        )
        == 1
    )
    again = client.post(URL + "remind-selected", data=data, follow_redirects=True).get_data(
        as_text=True
    )
    assert "Nothing was done." in again and "Missing Mo (reminded already today)" in again
    assert len(_reminders()) == 1


def test_bulk_actions_need_a_selection(client, season):
    _apply(season, "Someone", [season.july])
    empty = _selection(season)
    for url in (URL + "remind-selected", URL + "export-selected"):
        response = client.post(url, data=empty)
        assert response.status_code == 400
        assert "Tick applications on the list" in response.get_data(as_text=True)
    bad = client.post(URL + "remind-selected", data=_selection(season) | {"selected": "x"})
    assert bad.status_code == 400
    assert "The form field “selected” must be row ids." in bad.get_data(as_text=True)


def test_the_page_offers_every_bulk_action_on_one_selection_form(client, season):
    _apply(season, "Someone", [season.july])
    html = client.get(URL).get_data(as_text=True)
    assert html.count('id="selection-form"') == 1
    for label in (
        "Write to selected students",
        "Assign a reviewer",
        "Remind of missing items",
        "Export selected (CSV)",
        "Export selected (Excel)",
    ):
        assert f">{label}</button>" in html


def test_query_count_is_the_same_for_a_small_and_a_large_list(client, season, queries):
    reviewer = make_reviewer(season.department)
    _scored(season, _apply(season, "Only One", [season.july]), [(reviewer, [3, 3, 3])])
    urls = [URL, URL + "?sort=-score", URL + "?sort=first_choice&reviews=complete", URL + "?q=a"]
    few = {}
    for url in urls:
        with queries() as counted:
            assert client.get(url).status_code == 200
        few[url] = counted.count
    for n in range(12):
        application = _apply(season, f"Student {n}", [season.july, season.august])
        _scored(season, application, [(reviewer, [n % 5 + 1, 3, 3])])
    for url in urls:
        with queries() as counted:
            client.get(url)
        assert counted.count == few[url], url
