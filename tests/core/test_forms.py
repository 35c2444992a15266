"""Form, the base of every form: hostile text, numbers and dates are refused next to their field."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import date

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)

import clerkship
from clerkship.accounts.models import User
from clerkship.core.forms import Form
from clerkship.core.text import CONTROL_MESSAGE, LINE_BREAK_MESSAGE
from clerkship.extensions import db


class SampleForm(Form):
    class Meta:
        csrf = False

    name = StringField("Name")
    notes = TextAreaField("Notes")
    count = IntegerField("Count")
    amount = DecimalField("Amount")
    held_on = DateField("Held on")
    people = SelectMultipleField("People", coerce=int, validate_choice=False)


def _errors(app, **data) -> dict:
    with app.test_request_context():
        form = SampleForm(MultiDict(data))
        form.validate()
        return {name: errors for name, errors in form.errors.items() if name in data}


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def test_every_form_of_the_app_derives_from_form():
    for module in pkgutil.walk_packages(clerkship.__path__, "clerkship."):
        if ".bench" not in module.name:
            importlib.import_module(module.name)
    outside = sorted(
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in _all_subclasses(FlaskForm)
        if cls.__module__.startswith("clerkship.") and not issubclass(cls, Form)
    )
    assert outside == []


@pytest.mark.parametrize("text", ["a\x00b", "a\x1bb", "a\x7fb", "a\x85b"])
def test_form_refuses_control_characters_in_any_text(app, text):
    assert _errors(app, name=text, notes=text) == {
        "name": [CONTROL_MESSAGE if text != "a\x85b" else LINE_BREAK_MESSAGE],
        "notes": [CONTROL_MESSAGE],
    }


@pytest.mark.parametrize("text", ["Ada\nLovelace", "Ada\r\nLovelace", "Ada\u2028Lovelace"])
def test_form_refuses_line_breaks_on_a_single_line(app, text):
    assert _errors(app, name=text) == {"name": [LINE_BREAK_MESSAGE]}


def test_form_allows_line_breaks_and_tabs_in_a_text_area(app):
    assert _errors(app, notes="First line\r\n\tsecond line") == {}


def test_form_refuses_numbers_a_column_cannot_hold(app):
    assert _errors(app, count="1" * 23, amount="NaN") == {
        "count": ["This number is too large."],
        "amount": ["Enter a number."],
    }


def test_form_refuses_a_coerced_choice_a_column_cannot_hold(app):
    with app.test_request_context():
        form = SampleForm(MultiDict([("people", "3"), ("people", "1" * 23)]))
        form.validate()
    assert form.errors == {"people": ["This number is too large."]}


def test_form_refuses_dates_outside_1900_to_2200(app):
    assert _errors(app, held_on="0001-01-01") == {
        "held_on": ["Enter a date between the years 1900 and 2200."]
    }
    assert _errors(app, held_on=date(2027, 1, 4).isoformat()) == {}


def test_registration_with_a_nul_in_the_name_is_refused_next_to_the_field(client):
    response = client.post(
        "/register",
        data={
            "full_name": "Ada\x00 Lovelace",
            "email": "ada@example.edu",
            "password": "correct horse battery staple",
            "confirm": "correct horse battery staple",
        },
    )
    assert response.status_code == 200
    assert CONTROL_MESSAGE in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_registration_with_a_line_break_in_the_name_is_refused(client):
    response = client.post(
        "/register",
        data={
            "full_name": "Ada\nBcc: victim@example.org",
            "email": "ada@example.edu",
            "password": "correct horse battery staple",
            "confirm": "correct horse battery staple",
        },
    )
    assert response.status_code == 200
    assert LINE_BREAK_MESSAGE in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0
