"""The department's side: the application list, one application's file, settings (and the
former compliance address, now the onboarding page)."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from clerkship.applications import queries, services
from clerkship.applications.actions import file_actions
from clerkship.applications.checklist import required_kinds
from clerkship.applications.forms import (
    STAFF_STATES,
    ApplicationFilterForm,
    ApplicationSettingsForm,
)
from clerkship.applications.models import Application, ApplicationState
from clerkship.applications.packets import staff_summary
from clerkship.applications.paging import paginate_ids
from clerkship.applications.permissions import (
    can_change_application_settings,
    can_see_pathway_flag,
    can_view_application_file,
    can_view_applications,
)
from clerkship.core.forms import attach_error
from clerkship.core.params import query
from clerkship.core.permissions import login_required, require
from clerkship.core.selection import scope_of
from clerkship.core.time import utcnow
from clerkship.core.transactions import commits_on_return, refusal
from clerkship.cycles import queries as cycle_queries
from clerkship.cycles.models import Cycle, Department
from clerkship.documents.models import DocumentKind
from clerkship.documents.packets import build_packet, send_packet
from clerkship.documents.queries import current_documents
from clerkship.documents.services import record_packet_download
from clerkship.extensions import db
from clerkship.letters.queries import letter_requests
from clerkship.outbox.queries import messages_about_application

bp = Blueprint("staff_applications", __name__, url_prefix="/departments/<slug>")


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


def _filters(form: ApplicationFilterForm, department: Department, blocks) -> queries.ListFilters:
    """The list's filters, read by the query-argument parser (an unknown value is a 400)."""
    form.block.choices = [("", "Any block")] + [(str(b.id), b.label) for b in blocks]
    form.validate()
    sort = query.text("sort") or "submitted"
    descending = sort.startswith("-")
    sort = sort.lstrip("-")
    pathway = None
    chosen_pathway = query.choice("pathway", ("yes", "no"))
    if can_see_pathway_flag(current_user, department) and chosen_pathway:
        pathway = chosen_pathway == "yes"
    state = query.choice("state", [s.value for s in STAFF_STATES])
    block = query.choice("block", [str(b.id) for b in blocks])
    return queries.ListFilters(
        state=ApplicationState(state) if state else None,
        block_id=int(block) if block else None,
        q=query.text("q", max_length=100) or "",
        pathway=pathway,
        sort=sort if sort in queries.SORTS else "submitted",
        descending=descending,
    )


@bp.route("/applications/")
@login_required
def index(slug: str):
    department = _department(slug)
    cycles, cycle = _cycle()
    if cycle is None:
        abort(404)
    blocks = queries.offered_blocks(department, cycle)
    form = ApplicationFilterForm(request.args)
    filters = _filters(form, department, blocks)
    page = paginate_ids(
        queries.department_applications(department, cycle, filters),
        page=query.page(),
        per_page=current_app.config["PAGE_SIZE"],
    )
    page.items = queries.applications_by_ids(page.items)
    return render_template(
        "applications/staff/index.html",
        department=department,
        cycles=cycles,
        cycle=cycle,
        form=form,
        filters=filters,
        page=page,
        profiles=queries.profiles_by_student([a.student_id for a in page.items]),
        drafts=queries.draft_count(department, cycle),
        sorts=queries.SORTS,
        show_pathway=can_see_pathway_flag(current_user, department),
        selection_scope=scope_of(
            [("cycle", cycle.slug), *request.args.items(multi=True)],
            ("cycle", "q", "state", "block", "pathway"),
        ),
    )


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
    documents = queries.packet_documents(application)
    pdf = build_packet(
        documents,
        lambda parts: render_template(
            "applications/packet.html",
            summary=summary,
            parts=parts,
            prepared_for=current_user.full_name,
            prepared_at=utcnow(),
        ),
        title=summary.title,
    )
    record_packet_download(
        application.student,
        by=current_user,
        target=application,
        documents=documents,
        context=f"staff file, {department.name}",
    )
    return send_packet(pdf, summary.title, department.slug, "application packet")


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
