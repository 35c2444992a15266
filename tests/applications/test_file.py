"""The staff application file: its actions panel, the reviews the viewer may read, its wording."""

from __future__ import annotations

import re

import pytest

from clerkship.accounts.models import Role
from clerkship.applications.models import ApplicationState
from clerkship.applications.queries import profile_for
from clerkship.reviews.records import Recommendation
from tests.conftest import login
from tests.factories import (
    make_applicant,
    make_assignment,
    make_block,
    make_cycle,
    make_department,
    make_placement,
    make_review,
    make_review_round,
    make_reviewer,
    make_rotation,
    make_rubric,
    make_user,
)

EM = "/departments/emergency-medicine"
PACKET = "Download the application packet (PDF)"


@pytest.fixture
def em(app):
    cycle = make_cycle()
    department = make_department(name="Emergency Medicine", slug="emergency-medicine")
    block = make_block(make_rotation(department, title="EM Sub-Internship"), cycle, month=7)
    application = make_applicant(department, cycle, blocks=[block])
    return cycle, department, block, application


def _page(client, application) -> str:
    response = client.get(f"{EM}/applications/{application.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _actions(html: str) -> list[str]:
    """The labels of the actions panel, in order."""
    if 'id="actions-title"' not in html:
        return []
    panel = html.split('id="actions-title"')[1].split("</section>")[0]
    return re.findall(r'class="btn btn-outline-primary btn-sm"[^>]*>([^<]+)</', panel)


def _reviews_panel(html: str) -> str:
    if 'id="file-reviews-title"' not in html:
        return ""
    return html.split('id="file-reviews-title"')[1].split("</section>")[0]


def test_director_actions(client, em):
    _cycle, department, _block, application = em
    login(client, make_user((Role.DIRECTOR, department)))
    html = _page(client, application)
    assert _actions(html) == ["Assign a reviewer", "Write to the student", PACKET]
    assert f'href="{EM}/reviews/applications/{application.id}?cycle=' in html
    assert f'href="{EM}/applications/{application.id}/packet.pdf"' in html


def test_coordinator_actions(client, em):
    _cycle, department, _block, application = em
    login(client, make_user((Role.COORDINATOR, department)))
    assert _actions(_page(client, application)) == ["Write to the student", PACKET]


def test_admin_actions_match_the_director(client, em):
    _cycle, _department, _block, application = em
    login(client, make_user(Role.ADMIN))
    assert _actions(_page(client, application)) == [
        "Assign a reviewer",
        "Write to the student",
        PACKET,
    ]


def test_placed_student_offers_verification_and_decided_application_no_assignment(client, em):
    _cycle, department, block, application = em
    make_placement(application, block)
    application.state = ApplicationState.ACCEPTED
    login(client, make_user((Role.DIRECTOR, department)))
    assert _actions(_page(client, application)) == [
        "See its reviewers and discussion",
        "Write to the student",
        "Verify onboarding documents",
        PACKET,
    ]


def test_withdrawn_application_offers_no_message(client, em):
    _cycle, department, _block, application = em
    application.state = ApplicationState.WITHDRAWN
    login(client, make_user((Role.COORDINATOR, department)))
    assert _actions(_page(client, application)) == [PACKET]


def test_closed_round_offers_no_assignment(client, em):
    cycle, department, _block, application = em
    from clerkship.reviews.models import Phase

    make_review_round(department, cycle, phase=Phase.CLOSED)
    login(client, make_user((Role.DIRECTOR, department)))
    assert _actions(_page(client, application))[0] == "See its reviewers and discussion"


def test_write_to_the_student_opens_the_message_page_for_them_alone(client, em):
    cycle, department, block, application = em
    make_applicant(department, cycle, blocks=[block])  # another applicant, not selected
    login(client, make_user((Role.COORDINATOR, department)))
    html = _page(client, application)
    form = html.split('action="/departments/emergency-medicine/messages/new"')[1].split("</form>")[
        0
    ]
    fields = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', form))
    response = client.post(f"{EM}/messages/new", data=fields)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Write to 1 student</h1>" in page
    recipients = page.split("<summary>Recipients (1)</summary>")[1].split("</ul>")[0]
    assert re.findall(r"<li>([^<]+)</li>", recipients) == [application.student.full_name]


def test_director_reads_every_submitted_review_with_scores_and_comments(client, em):
    cycle, department, _block, application = em
    review_round = make_review_round(department, cycle)
    rubric = make_rubric(review_round)
    ann = make_reviewer(department, full_name="Ann Reviewer")
    bob = make_reviewer(department, full_name="Bob Reviewer")
    cat = make_reviewer(department, full_name="Cat Reviewer")
    make_review(
        make_assignment(review_round, application, ann),
        rubric,
        [4, 3, None],
        comments="Strong letters.",
        recommendation=Recommendation.STRONGLY_RECOMMEND,
    )
    make_review(make_assignment(review_round, application, bob), rubric, [2, 2], submitted=False)
    make_assignment(review_round, application, cat)
    login(client, make_user((Role.DIRECTOR, department)))
    panel = _reviews_panel(_page(client, application))
    assert "1 of 3 reviews submitted" in panel
    ann_part = panel.split("Ann Reviewer")[1].split("Bob Reviewer")[0]
    for text in (
        "Recommendation: Strongly recommend",
        "Criterion 1</dt>",
        "4 of 5",
        "3 of 5",
        "Insufficient evidence",
        "Strong letters.",
    ):
        assert text in ann_part
    bob_part = panel.split("Bob Reviewer")[1].split("Cat Reviewer")[0]
    assert "Draft, not submitted yet" in bob_part and "of 5" not in bob_part
    assert "Not started" in panel.split("Cat Reviewer")[1]


def test_director_who_reviews_it_reads_the_others_only_after_submitting(client, em):
    cycle, department, _block, application = em
    review_round = make_review_round(department, cycle)
    rubric = make_rubric(review_round)
    director = make_user((Role.DIRECTOR, department), (Role.REVIEWER, department))
    make_review(
        make_assignment(review_round, application, make_reviewer(department)),
        rubric,
        [5, 5, 5],
        comments="Secret opinion.",
    )
    mine = make_assignment(review_round, application, director)
    login(client, director)
    html = _page(client, application)
    panel = _reviews_panel(html)
    assert "the other reviews stay hidden until you" in panel
    assert (
        "Secret opinion." not in panel and "Submitted; hidden until you submit your own." in panel
    )
    assert "Start your review" in _actions(html)
    make_review(mine, rubric, [3, 3, 3], comments="My view.")
    panel = _reviews_panel(_page(client, application))
    assert "Secret opinion." in panel and "My view." in panel


def test_coordinator_sees_no_reviews_unless_reviewing_it_and_then_only_their_own(client, em):
    cycle, department, _block, application = em
    review_round = make_review_round(department, cycle)
    rubric = make_rubric(review_round)
    make_review(
        make_assignment(review_round, application, make_reviewer(department)),
        rubric,
        [5, 5, 5],
        comments="Someone else's.",
    )
    coordinator = make_user((Role.COORDINATOR, department))
    login(client, coordinator)
    html = _page(client, application)
    assert _reviews_panel(html) == "" and "Someone else" not in html
    both = make_user((Role.COORDINATOR, department), (Role.REVIEWER, department))
    make_review(
        make_assignment(review_round, application, both), rubric, [2, 3, 4], comments="Mine."
    )
    login(client, both)
    html = _page(client, application)
    panel = _reviews_panel(html)
    assert ">Your review</h2>" in html
    assert "Mine." in panel and "Someone else" not in html
    assert "submitted" not in panel.split("</h2>")[1].split("<article")[0]
    assert "Open your review" in _actions(html)


def test_staff_wording_on_the_requirements(client, em):
    _cycle, department, _block, application = em
    login(client, make_user((Role.DIRECTOR, department)))
    html = _page(client, application)
    section = html.split('id="requirements-title"')[1].split("</section>")[0]
    items = [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip()
        for item in re.findall(r'<span class="visually-hidden">(.*?)</li>', section, re.S)
    ]
    graduation = profile_for(application.student).expected_graduation
    missing = (
        "CV",
        "Transcript",
        "Letter of good standing",
        "Immunization record",
        "BLS card",
        "TB screen",
    )
    assert items == [
        "Done: Profile: complete",
        "Done: Blocks ranked: 1 of at most 5 ranked",
        f"Done: Graduates after the blocks: expected on {graduation:%b %-d, %Y}",
        "Done: Personal statement: 4 of at most 500 words",
        *(f"Missing: {kind}: not uploaded" for kind in missing),
        "Missing: Letters of recommendation: 0 of 1 received; none requested",
    ]
    for student_words in ("Your ", "your ", "You ", "Upload", "Ask a writer", "Submit by"):
        assert student_words not in section


def test_file_page_query_count_does_not_grow_with_reviews(client, em, queries):
    cycle, department, _block, application = em
    review_round = make_review_round(department, cycle)
    rubric = make_rubric(review_round)
    make_review(make_assignment(review_round, application, make_reviewer(department)), rubric, [3])
    login(client, make_user((Role.DIRECTOR, department)))
    url = f"{EM}/applications/{application.id}"
    client.get(url)
    with queries() as few:
        client.get(url)
    for levels in ([1, 2, 3], [4, 4, 4], [2, None, 5], [5, 5, 5]):
        make_review(
            make_assignment(review_round, application, make_reviewer(department)),
            rubric,
            levels,
            comments="More.",
        )
    with queries() as many:
        client.get(url)
    assert few.count == many.count
