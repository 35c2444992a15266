"""The query-argument and hidden-field parser: typed values, 400 for anything else."""

from __future__ import annotations

from datetime import date

import pytest

from clerkship.core.params import BadParameter, parse_date, parse_id, parse_int, query


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (" 12 ", 12),
        ("-3", -3),
        ("", None),
        ("1" * 23, None),
        ("²", None),
        ("١٢", None),
        ("1e3", None),
        ("9223372036854775807", 2**63 - 1),
        ("9223372036854775808", None),
        (None, None),
    ],
)
def test_parse_int_takes_ascii_digits_within_64_bits(text, expected):
    assert parse_int(text) == expected


def test_parse_id_refuses_zero_and_negatives():
    assert (parse_id("0"), parse_id("-1"), parse_id("7")) == (None, None, 7)


def test_parse_id_refuses_what_an_id_column_cannot_hold():
    assert (parse_id(str(2**31 - 1)), parse_id(str(2**31))) == (2**31 - 1, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-01-04", date(2027, 1, 4)),
        ("0001-01-01", None),
        ("2201-01-01", None),
        ("2027-02-30", None),
        ("04/01/2027", None),
    ],
)
def test_parse_date_takes_iso_dates_between_1900_and_2200(text, expected):
    assert parse_date(text) == expected


def _read(app, query_string, reader):
    with app.test_request_context(query_string=query_string):
        return reader()


def test_query_ignores_an_empty_filter(app):
    assert _read(app, "state=&page=", lambda: (query.choice("state", ["a"]), query.page())) == (
        None,
        1,
    )


@pytest.mark.parametrize(
    ("query_string", "reader"),
    [
        ("page=0", lambda: query.page()),
        ("page=" + "9" * 23, lambda: query.page()),
        ("cycle=" + "1" * 23, lambda: query.id("cycle")),
        ("state=nope", lambda: query.choice("state", ["open", "closed"])),
        ("q=a%00b", lambda: query.text("q")),
        ("q=a%0Ab", lambda: query.text("q")),
        ("inline=maybe", lambda: query.flag("inline")),
        ("since=0001-01-01", lambda: query.date("since")),
    ],
)
def test_query_refuses_a_bad_value_with_a_400(app, query_string, reader):
    with pytest.raises(BadParameter) as raised:
        _read(app, query_string, reader)
    assert raised.value.code == 400


def test_a_bad_query_argument_is_answered_with_a_page_naming_it(app, client):
    response = client.get("/catalogue?cycle=a%00b")
    assert response.status_code == 400
    assert "The query argument “cycle” must be a single line" in response.get_data(as_text=True)


def test_every_route_builds_the_same_url_with_its_builders_compiled_on_first_use(app):
    # The app's rules (LazyBuilderRule) against the same rules in a plain Werkzeug map,
    # whose builders are compiled when added: every endpoint, with and without an extra
    # query argument, built twice (compiling, then compiled).
    from werkzeug.routing import Map, Rule

    from clerkship.core.params import LazyBuilderRule

    rules = list(app.url_map.iter_rules())
    # (Flask adds the static files' rule itself, before create_app sets the class.)
    assert all(isinstance(rule, LazyBuilderRule) for rule in rules if rule.endpoint != "static")
    plain = Map(
        [
            Rule(rule.rule, endpoint=rule.endpoint, methods=rule.methods, defaults=rule.defaults)
            for rule in rules
        ],
        converters=app.url_map.converters,
    ).bind("clerkship.test", url_scheme="https")
    ours = app.url_map.bind("clerkship.test", url_scheme="https")
    for rule in rules:
        values = {
            name: 7 if type(converter).__name__ == "RowIdConverter" else "a-b"
            for name, converter in rule._converters.items()
        }
        for extra in ({}, {"page": "2"}, {}):
            arguments = dict(values, **extra)
            assert ours.build(rule.endpoint, arguments) == plain.build(rule.endpoint, arguments), (
                rule.rule
            )
