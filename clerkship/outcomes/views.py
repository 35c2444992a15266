"""The outcome report (institution and department) and the residency list import."""

from __future__ import annotations

import base64

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    send_file,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from clerkship.core.downloads import as_download
from clerkship.core.permissions import login_required, require
from clerkship.core.tabular import XLSX_MIMETYPE, csv_stream, xlsx_file
from clerkship.cycles import queries as cycle_queries
from clerkship.cycles.models import Cycle, Department
from clerkship.extensions import db
from clerkship.outcomes import queries, report, services
from clerkship.outcomes.forms import ListConfirmForm, ListUploadForm
from clerkship.outcomes.models import ListKind
from clerkship.outcomes.permissions import (
    can_import_lists,
    can_read_department_outcomes,
    can_read_institution_outcomes,
)

bp = Blueprint("outcomes", __name__)
TREND_STAGES = ("rotated", "interviewed", "matched")


def _report() -> report.Report:
    cycles = queries.report_cycles()
    departments = queries.departments_of()
    counts = queries.funnel_counts([c.id for c in cycles])
    return report.build_report(cycles, departments, counts)


def _focus(cycles: list[Cycle]) -> Cycle | None:
    """The cycle asked for among those with figures, else the latest (None without any)."""
    cycle = cycle_queries.requested_cycle(cycles) if cycles else None
    if cycle not in cycles:
        cycle = cycles[-1] if cycles else None
    return cycle


@bp.route("/outcomes")
@login_required
def institution():
    require(
        can_read_institution_outcomes(current_user),
        "Only administrators and the award committee read the outcome report.",
    )
    built = _report()
    cycle = _focus(built.cycles)
    return render_template(
        "outcomes/report.html",
        report=built,
        cycle=cycle,
        department=None,
        department_id=report.INSTITUTION,
        funnel_chart=report.funnel_chart(built, cycle) if cycle else None,
        trend_charts=[report.trend_chart(built, s) for s in TREND_STAGES],
        rate=report.rate,
        shown=report.shown,
    )


@bp.route("/outcomes/download.<fmt>")
@login_required
def download(fmt: str):
    require(
        can_read_institution_outcomes(current_user),
        "Only administrators and the award committee download the outcome report.",
    )
    if fmt not in ("csv", "xlsx"):
        abort(404)
    built = _report()
    rows = report.download_rows(built, [report.INSTITUTION] + [d.id for d in built.departments])
    if fmt == "xlsx":
        response = send_file(
            xlsx_file(report.DOWNLOAD_COLUMNS, [("Outcomes", rows)]),
            mimetype=XLSX_MIMETYPE,
            as_attachment=True,
            download_name="outcomes.xlsx",
        )
    else:
        response = Response(
            stream_with_context(csv_stream(report.DOWNLOAD_COLUMNS, rows)),
            headers={
                "Content-Disposition": 'attachment; filename="outcomes.csv"',
                "Content-Type": "text/csv; charset=utf-8",
            },
        )
    return as_download(response)


def _department(slug: str, check, message: str) -> Department:
    department = cycle_queries.department_or_404(slug)
    require(check(current_user, department), message.format(department=department.name))
    return department


@bp.route("/departments/<slug>/outcomes")
@login_required
def department_report(slug: str):
    department = _department(
        slug,
        can_read_department_outcomes,
        "Only the directors of {department} read its outcomes.",
    )
    built = _report()
    cycle = _focus(built.cycles)
    return render_template(
        "outcomes/report.html",
        report=built,
        cycle=cycle,
        department=department,
        department_id=department.id,
        funnel_chart=report.funnel_chart(built, cycle, department.id) if cycle else None,
        trend_charts=[report.trend_chart(built, s, department.id) for s in TREND_STAGES],
        lists=queries.residency_lists(department, cycle) if cycle else {},
        sizes=queries.list_sizes(department, cycle) if cycle else {},
        rate=report.rate,
        shown=report.shown,
        ListKind=ListKind,
    )


def _import_target(slug: str, cycle_slug: str, kind: str) -> tuple[Department, Cycle, ListKind]:
    department = _department(
        slug, can_import_lists, "Only the directors of {department} import its lists."
    )
    cycle = next((c for c in cycle_queries.all_cycles() if c.slug == cycle_slug), None)
    list_kind = next((k for k in ListKind if k.value == kind), None)
    if cycle is None or list_kind is None:
        abort(404)
    return department, cycle, list_kind


def _import_page(department, cycle, kind, form, *, preview=None, confirm=None, status=200):
    return (
        render_template(
            "outcomes/import.html",
            department=department,
            cycle=cycle,
            kind=kind,
            form=form,
            preview=preview,
            confirm=confirm,
        ),
        status,
    )


@bp.route("/departments/<slug>/outcomes/<cycle>/<kind>-list", methods=["GET", "POST"])
@login_required
def import_list(slug: str, cycle: str, kind: str):
    department, the_cycle, list_kind = _import_target(slug, cycle, kind)
    form = ListUploadForm()
    if not form.validate_on_submit():
        status = 400 if form.errors else 200
        return _import_page(department, the_cycle, list_kind, form, status=status)
    upload = form.file.data
    data = upload.read(services.MAX_LIST_BYTES + 1)
    if not (upload.filename or "").lower().endswith(".csv"):
        form.file.errors.append("Upload a .csv file (in a spreadsheet: Save as, CSV UTF-8).")
        return _import_page(department, the_cycle, list_kind, form, status=400)
    preview = services.preview_list(department, the_cycle, list_kind, data)
    confirm = None
    if preview.can_confirm:
        confirm = ListConfirmForm(formdata=None, content=base64.b64encode(data).decode("ascii"))
    status = 200 if preview.can_confirm else 400
    return _import_page(
        department, the_cycle, list_kind, form, preview=preview, confirm=confirm, status=status
    )


@bp.route("/departments/<slug>/outcomes/<cycle>/<kind>-list/confirm", methods=["POST"])
@login_required
def confirm_list(slug: str, cycle: str, kind: str):
    department, the_cycle, list_kind = _import_target(slug, cycle, kind)
    form = ListConfirmForm()
    back = url_for("outcomes.import_list", slug=slug, cycle=cycle, kind=kind)
    data = form.file_bytes() if form.validate_on_submit() else None
    if data is None:
        flash("The preview was lost: upload the list again.", "danger")
        return redirect(back, code=303)
    preview = services.preview_list(department, the_cycle, list_kind, data)
    if not preview.can_confirm:
        upload = ListUploadForm(formdata=None)
        return _import_page(department, the_cycle, list_kind, upload, preview=preview, status=400)
    services.replace_list(department, the_cycle, list_kind, preview, by=current_user)
    db.session.commit()
    flash(
        f"{list_kind.label} of {department.name}, {the_cycle.name}, saved: "
        f"{len(preview.found)} applicant(s).",
        "success",
    )
    return redirect(
        url_for("outcomes.department_report", slug=slug, cycle=the_cycle.slug), code=303
    )
