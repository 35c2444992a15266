"""The home school's emailed link: a page with a button (a mail scanner that fetches the link
uses nothing), and the PDF, each download audited."""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from clerkship.core.downloads import as_download
from clerkship.core.permissions import public
from clerkship.core.time import utcnow
from clerkship.evaluations import services
from clerkship.evaluations.pdf import evaluation_pdf
from clerkship.extensions import db

bp = Blueprint("home_school", __name__, url_prefix="/evaluation-link")


@bp.route("/<token>", methods=["GET"])
@public
def open(token: str):
    try:
        link = services.link_for(token, now=utcnow())
    except services.LinkProblem as problem:
        return render_template("evaluations/link_problem.html", problem=problem), 410
    return render_template("evaluations/link.html", link=link, token=token)


@bp.route("/<token>", methods=["POST"])
@public
def download(token: str):
    try:
        link = services.link_for(token, now=utcnow())
    except services.LinkProblem as problem:
        return render_template("evaluations/link_problem.html", problem=problem), 410
    pdf = evaluation_pdf(link.evaluation)
    services.record_download(link, now=utcnow())
    db.session.commit()
    student = link.evaluation.placement.application.student
    name = "".join(ch for ch in student.full_name if ch.isalnum()) or "student"
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="evaluation-{name}.pdf"'
    return as_download(response)
