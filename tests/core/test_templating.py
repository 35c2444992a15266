"""What every template shares: a missing value prints nothing."""

from __future__ import annotations

from flask import render_template_string


def test_a_missing_value_prints_nothing_not_none(app):
    with app.test_request_context():
        html = render_template_string(
            "[{{ missing }}][{{ zero }}][{{ no }}][{{ text }}]",
            missing=None,
            zero=0,
            no=False,
            text="None of these",
        )
    assert html == "[][0][False][None of these]"
