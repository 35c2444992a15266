"""Rubrics: built in the editor, replaced while unused, versioned once reviews use them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.core.rules import RuleViolation
from clerkship.extensions import db
from clerkship.reviews.models import Rubric
from clerkship.reviews.rubrics.services import (
    CriterionInput,
    current_rubric,
    rubric_versions,
    save_rubric,
)
from tests import factories
from tests.conftest import login


def _criterion(name="Clinical reasoning", weight=2, levels=(1, 5), **fields):
    low, high = levels
    return CriterionInput(
        name=name,
        weight=Decimal(weight),
        descriptions={level: f"{name} at level {level}" for level in range(low, high + 1)},
        **fields,
    )


@pytest.fixture
def setting(app):
    cycle = factories.make_cycle()
    department = factories.make_department(slug="em")
    director = factories.make_user((Role.DIRECTOR, department))
    review_round = factories.make_review_round(department, cycle)
    return review_round, director


def test_save_rubric_first_version_has_criteria_and_levels(setting):
    review_round, director = setting
    rubric = save_rubric(
        review_round,
        title=" EM  rubric ",
        scale_low=1,
        scale_high=5,
        criteria=[_criterion(), _criterion("Communication", 1, allows_insufficient=True)],
        based_on=None,
        by=director,
    )
    assert (rubric.number, rubric.title, rubric.scale_low, rubric.scale_high) == (
        1,
        "EM rubric",
        1,
        5,
    )
    assert [
        (c.position, c.key, c.name, c.weight, c.allows_insufficient) for c in rubric.criteria
    ] == [
        (1, "c1", "Clinical reasoning", Decimal("2.00"), False),
        (2, "c2", "Communication", Decimal("1.00"), True),
    ]
    assert [level.description for level in rubric.criteria[0].levels] == [
        f"Clinical reasoning at level {n}" for n in range(1, 6)
    ]


def test_save_rubric_unused_is_replaced_in_place(setting):
    review_round, director = setting
    first = save_rubric(
        review_round,
        title="R",
        scale_low=1,
        scale_high=5,
        criteria=[_criterion()],
        based_on=None,
        by=director,
    )
    key = first.criteria[0].key
    second = save_rubric(
        review_round,
        title="R2",
        scale_low=1,
        scale_high=4,
        criteria=[_criterion(key=key, levels=(1, 4)), _criterion("Service", 1, levels=(1, 4))],
        based_on=first.id,
        by=director,
    )
    assert [v.number for v in rubric_versions(review_round)] == [1]
    assert second.number == 1 and second.id != first.id
    assert [c.key for c in second.criteria] == [key, "c2"]


def test_save_rubric_used_makes_new_version_and_old_reviews_keep_theirs(setting):
    review_round, director = setting
    first = factories.make_rubric(review_round, weights=(3, 2, 1))
    application = factories.make_applicant(review_round.department, review_round.cycle)
    reviewer = factories.make_reviewer(review_round.department)
    review = factories.make_review(
        factories.make_assignment(review_round, application, reviewer), first, [4, 5, 3]
    )
    second = save_rubric(
        review_round,
        title="Rubric",
        scale_low=1,
        scale_high=5,
        criteria=[_criterion("Criterion 1", 1, key="c1"), _criterion("New one", 4)],
        based_on=first.id,
        by=director,
    )
    assert second.number == 2
    assert current_rubric(review_round).id == second.id
    assert [c.key for c in second.criteria] == ["c1", "c4"]
    db.session.expire_all()
    assert review.rubric_id == first.id
    assert [c.name for c in db.session.get(Rubric, first.id).criteria] == [
        "Criterion 1",
        "Criterion 2",
        "Criterion 3",
    ]
    assert review.composite == Decimal("4.17")


def test_save_rubric_scale_kept_once_reviews_exist(setting):
    review_round, director = setting
    first = factories.make_rubric(review_round)
    application = factories.make_applicant(review_round.department, review_round.cycle)
    assignment = factories.make_assignment(
        review_round, application, factories.make_reviewer(review_round.department)
    )
    factories.make_review(assignment, first, [3], submitted=False)
    with pytest.raises(RuleViolation) as refused:
        save_rubric(
            review_round,
            title="R",
            scale_low=1,
            scale_high=7,
            criteria=[_criterion(levels=(1, 7))],
            based_on=first.id,
            by=director,
        )
    assert refused.value.message == (
        "Reviews already use the 1–5 scale; composites on two scales could not be "
        "compared, so the scale stays."
    )
    assert refused.value.field == "scale"


@pytest.mark.parametrize(
    ("criteria", "message", "field"),
    [
        ([], "A rubric needs at least one criterion.", None),
        ([_criterion(name=" ")], "Name the criterion.", "criteria-0-name"),
        (
            [_criterion(), _criterion(name="clinical REASONING", index=1)],
            "Two criteria are called clinical REASONING; give each its own name.",
            "criteria-1-name",
        ),
        ([_criterion(weight=0)], "Enter a weight above 0 and at most 100.", "criteria-0-weight"),
        (
            [
                CriterionInput(
                    name="X", weight=Decimal(1), descriptions={1: "a", 2: "b", 4: "d", 5: "e"}
                )
            ],
            "Describe the behaviour for every level of X; level 3 has no description.",
            "criteria-0-levels-2",
        ),
    ],
)
def test_save_rubric_refusals_name_the_field(setting, criteria, message, field):
    review_round, director = setting
    with pytest.raises(RuleViolation) as refused:
        save_rubric(
            review_round,
            title="R",
            scale_low=1,
            scale_high=5,
            criteria=criteria,
            based_on=None,
            by=director,
        )
    assert (refused.value.message, refused.value.field) == (message, field)


def test_save_rubric_from_stale_editor_refused(setting):
    review_round, director = setting
    first = save_rubric(
        review_round,
        title="R",
        scale_low=1,
        scale_high=5,
        criteria=[_criterion()],
        based_on=None,
        by=director,
    )
    save_rubric(
        review_round,
        title="R",
        scale_low=1,
        scale_high=5,
        criteria=[_criterion()],
        based_on=first.id,
        by=director,
    )
    with pytest.raises(RuleViolation) as refused:
        save_rubric(
            review_round,
            title="Mine",
            scale_low=1,
            scale_high=5,
            criteria=[_criterion()],
            based_on=first.id,
            by=director,
        )
    assert refused.value.message.startswith("Someone else saved this rubric after you opened it.")


def _form(**extra):
    data = {
        "title": "EM rubric",
        "scale": "1-5",
        "shown_scale": "1-5",
        "based_on": "",
        "action": "save",
    }
    data.update(extra)
    return data


def test_editor_builds_rubric_and_starts_round(client, setting):
    review_round, director = setting
    department, cycle = review_round.department, review_round.cycle
    db.session.delete(review_round)
    login(client, director)
    levels = {f"criteria-0-levels-{i}": f"Level {i + 1} behaviour" for i in range(5)}
    response = client.post(
        f"/departments/em/reviews/rubric/edit?cycle={cycle.slug}",
        data=_form(**{"criteria-0-name": "Clinical", "criteria-0-weight": "2", **levels}),
    )
    assert response.status_code == 302
    rubric = db.session.scalar(select(Rubric))
    assert (rubric.round.department_id, rubric.round.cycle_id) == (department.id, cycle.id)
    assert [(c.name, c.weight) for c in rubric.criteria] == [("Clinical", Decimal("2.00"))]


def test_editor_add_criterion_and_apply_scale_keep_what_was_typed(client, setting):
    _round, director = setting
    login(client, director)
    typed = {"criteria-0-name": "Clinical", "criteria-0-weight": "2"}
    typed |= {f"criteria-0-levels-{i}": f"L{i + 1}" for i in range(5)}
    added = client.post("/departments/em/reviews/rubric/edit", data=_form(action="add", **typed))
    page = added.get_data(as_text=True)
    assert added.status_code == 200
    assert (
        'name="criteria-1-name"' in page
        and 'value="Clinical"' in page
        and "\nL5</textarea>" in page
    )
    assert db.session.scalar(select(Rubric)) is None
    rescaled = client.post(
        "/departments/em/reviews/rubric/edit", data=_form(action="scale", scale="1-3", **typed)
    )
    page = rescaled.get_data(as_text=True)
    assert 'name="criteria-0-levels-2"' in page and 'name="criteria-0-levels-3"' not in page
    assert "\nL3</textarea>" in page and "\nL4</textarea>" not in page


def test_editor_refusal_sits_next_to_the_nested_field(client, setting):
    _round, director = setting
    login(client, director)
    typed = {"criteria-0-name": "Clinical", "criteria-0-weight": "2"}
    typed |= {f"criteria-0-levels-{i}": f"L{i + 1}" for i in range(4)}
    response = client.post("/departments/em/reviews/rubric/edit", data=_form(**typed))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="criteria-0-levels-4-error"' in page
    assert "level 5 has no description" in page
    assert 'value="Clinical"' in page


def test_rubric_page_shows_versions(client, setting):
    review_round, director = setting
    factories.make_rubric(review_round)
    factories.make_rubric(review_round, weights=(1,))
    login(client, director)
    page = client.get("/departments/em/reviews/rubric").get_data(as_text=True)
    assert "version 2" in page and "Version 1</a>" in page
    old = client.get("/departments/em/reviews/rubric?version=1").get_data(as_text=True)
    assert "Criterion 3" in old
