"""The final evaluation as a PDF, drawn by WeasyPrint from our own HTML (no network)."""

from __future__ import annotations

from flask import current_app, render_template

from clerkship.evaluations.models import RotationEvaluation


def evaluation_pdf(evaluation: RotationEvaluation) -> bytes:
    """The PDF the home school downloads: the form version's criteria and anchors, the levels
    given, the grade and the narrative."""
    from weasyprint import HTML  # imported here: it loads Pango, which most requests never need

    html = render_template(
        "evaluations/pdf.html",
        evaluation=evaluation,
        form=evaluation.form_version,
        placement=evaluation.placement,
        institution=current_app.config["INSTITUTION_NAME"],
    )
    # No base_url: the page refers to nothing outside itself, so nothing is fetched.
    return HTML(string=html).write_pdf()
