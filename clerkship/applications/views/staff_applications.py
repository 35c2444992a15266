"""The department's side: the application list, one application's file, settings (and the
former compliance address, now the onboarding page)."""

from __future__ import annotations

from operator import attrgetter
from urllib.parse import parse_qsl, urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from clerkship.applications import listing, queries, services
from clerkship.applications.actions import file_actions
from clerkship.applications.checklist import required_kinds
from clerkship.applications.forms import ApplicationFilterForm, ApplicationSettingsForm
from clerkship.applications.models import Application
from clerkship.applications.packets import packet_download, staff_summary
from clerkship.applications.paging import paginate_ids
from clerkship.applications.permissions import (
    can_change_application_settings,
    can_remind_applicants,
    can_see_pathway_flag,
    can_view_application_file,
    can_view_applications,
)
from clerkship.applications.services import reminders
from clerkship.core.downloads import as_download
from clerkship.core.forms import attach_error
from clerkship.core.params import BadParameter, query
from clerkship.core.permissions import login_required, require
from clerkship.core.selection import posted_selection, scope_of
from clerkship.core.tabular import XLSX_MIMETYPE, Column, csv_stream, xlsx_file
from clerkship.core.time import local_today, to_local
from clerkship.core.transactions import commits_on_return, refusal
from clerkship.cycles import queries as cycle_queries
from clerkship.cycles.models import Cycle, Department
from clerkship.documents.models import DocumentKind
from clerkship.documents.queries import current_documents
from clerkship.extensions import db
from clerkship.letters.queries import letter_requests
from clerkship.outbox.queries import messages_about_application

bp = Blueprint("staff_applications", __name__, url_prefix="/departments/<slug>")

EXPORT_FORMATS = ("csv", "xlsx")


def _department(slug: str) -> Department:
    department = cycle_queries.department_or_404(slug)
    require(
        can_view_applications(current_user, department),
        f"Only the directors and coordinators of {department.name} see its applications.",
    )
    return department


def _cycle() -> tuple[list[Cycle], Cycle | None]:
    cycles = cycle_queries.all_cycles()
    return cycles, cycle_queries.requested_cycle(cycles)


def _list_filters(form: ApplicationFilterForm, department: Department, cycle: Cycle, blocks):
    """The list's filter from the query arguments (an unknown value is a 400 naming it),
    and the review figures the viewer may see (None: no columns for them)."""
    form.block.choices = [("", "Any block")] + [(str(b.id), b.label) for b in blocks]
    form.validate()
    figures = listing.review_figures(current_user, department, cycle)
    filters = listing.read_filters(
        query,
        blocks=blocks,
        sees_pathway=can_see_pathway_flag(current_user, department),
        sees_reviews=figures is not None,
    )
    return filters, figures


@bp.route("/applications/")
@login_required
def index(slug: str):
    department = _department(slug)
    cycles, cycle = _cycle()
    if cycle is None:
        abort(404)
    blocks = queries.offered_blocks(department, cycle)
    form = ApplicationFilterForm(request.args)
    filters, figures = _list_filters(form, department, cycle, blocks)
    page = paginate_ids(
        listing.listed_ids(department, cycle, filters, figures),
        page=query.page(),
        per_page=current_app.config["PAGE_SIZE"],
    )
    page.items = listing.list_rows(page.items, figures)
    scope = scope_of([("cycle", cycle.slug), *request.args.items(multi=True)], listing.FILTER_KEYS)
    return render_template(
        "applications/staff/index.html",
        department=department,
        cycles=cycles,
        cycle=cycle,
        form=form,
        filters=filters,
        page=page,
        drafts=queries.draft_count(department, cycle),
        figures=figures,
        show_pathway=can_see_pathway_flag(current_user, department),
        selection_scope=scope,
        export_args={"cycle": cycle.slug, **dict(parse_qsl(scope)), "sort": _sort_arg(filters)},
    )


def _sort_arg(filters: listing.ListFilters) -> str:
    return ("-" if filters.descending else "") + filters.sort


def _export_columns(show_pathway: bool, figures) -> list[Column]:
    columns = [
        Column("name", "Name", attrgetter("name"), width=28),
        Column("email", "Email", attrgetter("email"), width=32),
        Column("aamc_id", "AAMC ID", attrgetter("aamc_id")),
        Column("school", "Medical school", attrgetter("school"), width=32),
    ]
    if show_pathway:
        columns.append(Column("pathway", "UIM pathway", attrgetter("in_pathway")))
    columns += [
        Column("first_choice", "First choice", attrgetter("first_choice"), width=28),
        Column("first_starts_on", "First choice starts", attrgetter("first_starts_on"), "date"),
        Column("other_choices", "Other blocks ranked", attrgetter("other_choices"), "number"),
        Column("state", "Status", lambda row: row.state.label),
        Column(
            "submitted",
            f"Submitted ({current_app.config['TIME_ZONE']})",
            lambda row: to_local(row.submitted_at) if row.submitted_at else None,
            "datetime",
        ),
    ]
    if figures is not None:
        columns += [
            Column("assigned", "Reviewers assigned", attrgetter("assigned"), "number"),
            Column("reviews_in", "Reviews in", attrgetter("reviews_in"), "number"),
            Column("score", "Composite score", attrgetter("score"), "number"),
        ]
    return columns


def _export_response(department: Department, cycle: Cycle, ids: list[int], figures, fmt: str):
    """The rows of these applications as a CSV or XLSX download, in this order."""
    columns = _export_columns(can_see_pathway_flag(current_user, department), figures)
    rows = listing.list_rows(ids, figures)
    filename = f"applications-{department.slug}-{cycle.slug}.{fmt}"
    if fmt == "xlsx":
        response = send_file(
            xlsx_file(columns, [(f"Applications {cycle.name}", rows)]),
            mimetype=XLSX_MIMETYPE,
            as_attachment=True,
            download_name=filename,
        )
    else:
        response = Response(
            csv_stream(columns, rows, excel=True),
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Content-Type": "text/csv; charset=utf-8",
            },
        )
    return as_download(response)


@bp.route("/applications/export")
@login_required
def export(slug: str):
    department = _department(slug)
    _cycles, cycle = _cycle()
    if cycle is None:
        abort(404)
    fmt = query.choice("format", EXPORT_FORMATS, "csv")
    blocks = queries.offered_blocks(department, cycle)
    filters, figures = _list_filters(ApplicationFilterForm(request.args), department, cycle, blocks)
    ids = listing.selected_ids(listing.listed_ids(department, cycle, filters, figures))
    return _export_response(department, cycle, ids, figures, fmt)


def _posted_selection(department: Department):
    selection = posted_selection(("applications",))
    if selection is None or selection.is_empty:
        raise BadParameter("Tick applications on the list, or choose all matching, first.")
    return selection, listing.resolve_selection(current_user, department, selection)


@bp.route("/applications/export-selected", methods=["POST"])
@login_required
def export_selected(slug: str):
    department = _department(slug)
    fmt = query.choice("format", EXPORT_FORMATS, "csv")
    _selection, selected = _posted_selection(department)
    figures = listing.review_figures(current_user, department, selected.cycle)
    return _export_response(department, selected.cycle, selected.ids, figures, fmt)


@bp.route("/applications/remind-selected", methods=["POST"])
@login_required
def remind_selected(slug: str):
    department = _department(slug)
    require(
        can_remind_applicants(current_user, department),
        f"Only the directors and coordinators of {department.name} remind its applicants.",
    )
    selection, selected = _posted_selection(department)
    with refusal() as refused:
        outcome = reminders.remind_missing_items(
            department,
            selected.cycle,
            listing.names_of(selected.ids),
            today=local_today(),
            by=current_user,
        )
    if error := refused.error:
        flash(error.message, "danger")
    else:
        note = outcome.summary(
            f"Reminded {len(outcome.done)} applicant{'s' if len(outcome.done) != 1 else ''} "
            "of what their application still lacks, one email each."
        )
        db.session.commit()
        flash(note, "success" if outcome.done else "warning")
    args = dict(parse_qsl(selection.scope_query))
    return redirect(url_for("staff_applications.index", slug=department.slug, **args), code=303)


def _file(department: Department, application_id: int) -> Application:
    """A submitted application to department that the viewer may open, or a 403."""
    application = db.session.get(Application, application_id)
    if (
        application is None
        or application.department_id != department.id
        or not can_view_application_file(current_user, application)
    ):
        abort(403, description=f"This is not a submitted application to {department.name}.")
    return application


@bp.route("/applications/<int:application_id>")
@login_required
def show(slug: str, application_id: int):
    department = _department(slug)
    application = _file(department, application_id)
    return render_template(
        "applications/staff/show.html",
        department=department,
        application=application,
        profile=queries.profile_for(application.student),
        held=current_documents(application.student, application.cycle),
        required=required_kinds(department),
        requests=letter_requests(application.student, application.cycle),
        checklist=queries.checklist_for(application, for_staff=True),
        show_pathway=can_see_pathway_flag(current_user, department),
        timeline=_timeline(application),
        actions=file_actions(current_user, application),
    )


@bp.route("/applications/<int:application_id>/packet.pdf")
@login_required
@commits_on_return
def packet(slug: str, application_id: int):
    department = _department(slug)
    application = _file(department, application_id)
    summary = staff_summary(
        application,
        queries.profile_for(application.student),
        show_pathway=can_see_pathway_flag(current_user, department),
    )
    return packet_download(
        summary,
        queries.packet_documents(application),
        student=application.student,
        by=current_user,
        target=application,
        context=f"staff file, {department.name}",
        name=(summary.title, department.slug, "application packet"),
    )


def _timeline(application: Application) -> list[tuple[object, str, object]]:
    """The application's changes of state and every email about it, oldest first."""
    entries = [(event.at, "event", event) for event in application.events]
    entries += [
        (message.created_at, "message", message)
        for message in db.session.scalars(messages_about_application(application.id))
    ]
    return sorted(entries, key=lambda entry: (entry[0], entry[1] == "message"))


# The former "Compliance" page measured applicants' documents against their first chosen
# block and disagreed with the onboarding page about placed students; there is one
# compliance page now, the onboarding page. Its old filters are read there as theirs.
FORMER_PROBLEMS = {
    "any": ("show", "not_cleared"),
    "missing": ("state", "missing"),
    "expiring": ("state", "expiring"),
}


@bp.route("/compliance")
@login_required
def compliance(slug: str):
    department = _department(slug)
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "problem"]
    former = FORMER_PROBLEMS.get(request.args.get("problem", ""))
    if former is not None:
        args.append(former)
    return redirect(
        url_for("onboarding.index", slug=department.slug) + ("?" + urlencode(args) if args else ""),
        code=301,
    )


@bp.route("/application-settings", methods=["GET", "POST"])
@login_required
def settings(slug: str):
    department = _department(slug)
    require(
        can_change_application_settings(current_user, department),
        f"Only the directors of {department.name} change what its applications need.",
    )
    form = ApplicationSettingsForm(obj=department)
    if request.method == "GET":
        form.required_documents.data = [k.value for k in required_kinds(department)]
    if form.validate_on_submit():
        with refusal() as refused:
            services.save_application_settings(
                department,
                max_choices=form.max_choices.data,
                statement_word_limit=form.statement_word_limit.data,
                letters_required=form.letters_required.data,
                required_documents=[DocumentKind(v) for v in form.required_documents.data],
                by=current_user,
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash("The application settings are saved.", "success")
            return redirect(url_for("staff_applications.settings", slug=department.slug))
    return render_template("applications/staff/settings.html", department=department, form=form)
