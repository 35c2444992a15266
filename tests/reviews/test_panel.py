"""The reliability and bias panel over real reviews."""

from __future__ import annotations

import re

from clerkship.accounts.models import Role
from clerkship.applications.models import Accreditation
from tests import factories
from tests.conftest import login
from tests.reviews.test_statistics import CANONICAL


def _table(page: str, caption: str) -> list[list[str]]:
    start = page.index(caption)
    body = page[page.index("<tbody>", start) : page.index("</tbody>", start)]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        rows.append([" ".join(re.sub(r"<[^>]+>", "", c).split()) for c in cells])
    return rows


def test_alpha_matches_krippendorffs_published_example(client):
    """Krippendorff (2011), section C: ordinal alpha 0.815 with missing values."""
    cycle = factories.make_cycle()
    department = factories.make_department(slug="em")
    director = factories.make_user((Role.DIRECTOR, department))
    review_round = factories.make_review_round(department, cycle)
    rubric = factories.make_rubric(review_round, weights=(1, 1), insufficient=(2,))
    applications = [factories.make_applicant(department, cycle) for _ in range(12)]
    for n, row in enumerate(CANONICAL):
        reviewer = factories.make_reviewer(department, full_name=f"Observer {n + 1}")
        for application, level in zip(applications, row, strict=True):
            if level is not None:
                assignment = factories.make_assignment(review_round, application, reviewer)
                # The second criterion is always "insufficient evidence": no agreement to measure.
                factories.make_review(assignment, rubric, [level, None])
    login(client, director)
    page = client.get("/departments/em/reviews/statistics").get_data(as_text=True)
    assert _table(page, "Krippendorff's alpha of each criterion") == [
        ["Criterion 1", "0.815", "40"],
        ["Criterion 2", "Not computable: no application was scored by two reviewers", "0"],
    ]
    profiles = _table(page, "Each reviewer's number of reviews")
    # Observer 1 scored 1, 2, 3, 3, 2, 1, 4, 1, 2: mean 19/9 = 2.11.
    assert profiles[0] == ["Observer 1", "9", "2.11", "0.99"]


def test_groups_compared_with_four_fifths_and_small_groups_hidden(client):
    cycle = factories.make_cycle()
    department = factories.make_department(slug="em")
    director = factories.make_user((Role.DIRECTOR, department))
    review_round = factories.make_review_round(department, cycle)
    rubric = factories.make_rubric(review_round, weights=(1,))
    reviewer = factories.make_reviewer(department)
    pathway_levels = [5, 2, 2, 2, 1, 1]
    other_levels = [5, 5, 4, 3, 2, 1]
    for n, level in enumerate(pathway_levels + other_levels):
        application = factories.make_applicant(
            department,
            cycle,
            in_pathway=n < len(pathway_levels),
            accreditation=Accreditation.COCA if n in (0, 6, 7) else Accreditation.LCME,
        )
        factories.make_review(
            factories.make_assignment(review_round, application, reviewer), rubric, [level]
        )
    login(client, director)
    page = client.get("/departments/em/reviews/statistics?top=4").get_data(as_text=True)
    assert "Selected means ranked within the top 4" in page
    # Top 4: the three 5s and the 4. Pathway 1 of 6 (0.1667), not 3 of 6 (0.5): ratio 1/3.
    assert _table(page, "UIM pathway or not: scores and selection per group") == [
        ["Not in the pathway", "6", "3.33", "3.50", "1 / 1 / 1 / 3", "3", "0.5000", "1.0000"],
        [
            "UIM pathway",
            "6",
            "2.17",
            "2.00",
            "2 / 3 / 0 / 1",
            "1",
            "0.1667",
            "0.3333 below four fifths",
        ],
    ]
    # 3 DO applicants are hidden; the 9 MD ones too, or the 12 ranked less 9 would show 3.
    assert _table(page, "MD or DO school: scores and selection per group") == [
        ["DO (COCA)", "Hidden: fewer than 5 applicants, or it would reveal a group that small"],
        ["MD (LCME)", "Hidden: fewer than 5 applicants, or it would reveal a group that small"],
    ]
