"""Merge fields: checked on save, filled without any template language, escaped in HTML."""

from __future__ import annotations

from clerkship.communications.automatic import AUTOMATIC_EMAILS
from clerkship.communications.merge import FIELDS, LINK_FIELD, field_error, render, unknown_fields

VALUES = {"preferred_name": "Amara", "rotation": "Emergency Medicine Sub-I"}


def test_merge_fields_fill_each_placeholder_and_keep_escaped_braces():
    rendered = render(
        "Hi {preferred_name}", "Dear {preferred_name}, {{rotation}} is {rotation}.", VALUES
    )
    assert rendered.subject == "Hi Amara"
    assert rendered.text == "Dear Amara, {rotation} is Emergency Medicine Sub-I."


def test_merge_field_values_are_never_run_as_a_template():
    values = {"preferred_name": "{{ config.SECRET_KEY }} {rotation} <script>x</script>"}
    rendered = render("s", "Hello {preferred_name}", values)
    assert rendered.text == "Hello {{ config.SECRET_KEY }} {rotation} <script>x</script>"
    assert "&lt;script&gt;x&lt;/script&gt;" in rendered.html
    assert "<script>" not in rendered.html


def test_jinja_in_the_body_is_plain_text():
    assert unknown_fields("{% if x %}yes{% endif %}") == ["% if x %", "% endif %"]
    rendered = render("s", "{{ 7*7 }}", {})
    assert rendered.text == "{ 7*7 }"


def test_html_alternative_loads_nothing_from_the_internet():
    rendered = render("s", "Line one\nline two\n\nSee https://example.org/x.png", VALUES)
    assert rendered.html.count("<p>") == 2
    assert "<br>" in rendered.html
    for tag in ("<img", "<link", "<script", "src=", "url(", "<a "):
        assert tag not in rendered.html


def test_unknown_field_is_named_in_the_error():
    error = field_error("Hello {nickname} and {preferred_name}")
    assert error is not None and error.startswith("Unknown merge field: {nickname}.")
    assert field_error("Hello {preferred_name}") is None


def test_a_lone_brace_is_refused():
    assert field_error("Hello {preferred_name") is not None


def test_pathway_and_self_identification_are_never_merge_fields():
    every = {*FIELDS, *LINK_FIELD}
    for name in every:
        assert "pathway" not in name and "uim" not in name and "identif" not in name
    for forbidden in ("in_pathway", "pathway", "uim", "self_identification", "seat_type"):
        assert field_error(f"{{{forbidden}}}") is not None


def test_automatic_defaults_use_only_their_merge_fields():
    for email in AUTOMATIC_EMAILS.values():
        assert field_error(email.subject, email.fields) is None, email.key
        assert field_error(email.body, email.fields) is None, email.key
