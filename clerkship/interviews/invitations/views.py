"""The department's invitation pages: the list and its bulk actions (remind, withdraw),
inviting applicants, importing a CSV list."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qsl

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from clerkship.applications import listing as application_listing
from clerkship.applications.models import Application
from clerkship.applications.paging import paginate_ids
from clerkship.core.forms import attach_error
from clerkship.core.params import BadParameter, posted, query
from clerkship.core.permissions import login_required
from clerkship.core.selection import posted_selection, scope_of
from clerkship.core.time import local_end_of_day, local_today, utcnow
from clerkship.core.transactions import refusal
from clerkship.extensions import db
from clerkship.interviews import queries
from clerkship.interviews.forms import ImportForm, InviteApplicantsForm
from clerkship.interviews.invitations import bulk
from clerkship.interviews.invitations import queries as listing
from clerkship.interviews.invitations import services as invitations
from clerkship.interviews.permissions import can_manage_interviews
from clerkship.interviews.seasons.views import load_season

bp = Blueprint(
    "interview_invitations",
    __name__,
    url_prefix="/departments/<slug>/interviews/<cycle>/invitations",
)


def _default_reply_by():
    return local_today() + timedelta(days=7)


def _invite_form() -> InviteApplicantsForm:
    form = InviteApplicantsForm()
    if request.method == "GET":
        form.reply_by.data = _default_reply_by()
    return form


def _invitations_page(department, cycle, season, form, status=200):
    filters = listing.read_filters(query)
    page = paginate_ids(
        listing.listed_invitations(season, filters, now=utcnow()),
        page=query.page(),
        per_page=current_app.config["PAGE_SIZE"],
    )
    page.items = listing.invitations_by_ids(page.items)
    invitable, waiting = [], 0
    if can_manage_interviews(current_user, department):
        # The first page of applicants not yet invited; inviting them brings up the next.
        candidates = db.paginate(
            queries.invitable_applications(season),
            page=1,
            per_page=current_app.config["PAGE_SIZE"],
            error_out=False,
        )
        invitable, waiting = candidates.items, candidates.total
        form.applications.choices = [
            (
                a.id,
                f"{a.student.full_name} ({a.student.email}) · {a.state.label} · "
                f"UIM pathway: {'yes' if a.in_pathway else 'no'}",
            )
            for a in invitable
        ]
    scope = scope_of([("cycle", cycle.slug), *request.args.items(multi=True)], listing.FILTER_KEYS)
    return render_template(
        "interviews/staff/invitations.html",
        department=department,
        cycle=cycle,
        season=season,
        page=page,
        bookings=queries.current_bookings(page.items),
        form=form,
        invitable=invitable,
        waiting=waiting,
        filters=filters,
        answer_filters=listing.ANSWER_FILTERS,
        booked_filters=listing.BOOKED_FILTERS,
        selection_scope=scope,
    ), status


def _selected(season, sources=("invitations",)):
    """The invitations a posted selection comes to: ticked on the invitation list, or the
    invitations of applicants ticked on the applications list (those never invited are
    named as such)."""
    selection = posted_selection(sources)
    if selection is None or selection.is_empty:
        raise BadParameter("Tick rows on the list, or choose all matching, first.")
    if selection.source == "invitations":
        invitations, gone = listing.selected_invitations(season, selection, now=utcnow())
        return selection, invitations, gone, []
    selected = application_listing.resolve_selection(current_user, season.department, selection)
    if selected.cycle.id != season.cycle_id:
        raise BadParameter("This list's cycle is not the interview season's.")
    invitations = listing.invitations_of_applications(season, selected.ids)
    invited = {i.application_id for i in invitations}
    never = [
        (name, "not invited to interview")
        for app_id, name in application_listing.names_of(selected.ids)
        if app_id not in invited
    ]
    return selection, invitations, selected.gone, never


def _back_to_list(department, cycle, selection, note: str, outcome) -> object:
    db.session.commit()
    flash(note, "success" if outcome.done else "warning")
    args = {k: v for k, v in parse_qsl(selection.scope_query) if k != "cycle"}
    if selection.source == "applications":
        return redirect(
            url_for("staff_applications.index", slug=department.slug, cycle=cycle.slug, **args),
            code=303,
        )
    return redirect(
        url_for(
            "interview_invitations.invitations_list", slug=department.slug, cycle=cycle.slug, **args
        ),
        code=303,
    )


@bp.route("/remind", methods=["POST"])
@login_required
def remind_selected(slug: str, cycle: str):
    department, the_cycle, season = load_season(slug, cycle)
    selection, invitations, _gone, _never = _selected(season)
    outcome = bulk.remind_invitees(season, invitations, today=local_today(), by=current_user)
    count = len(outcome.done)
    note = outcome.summary(
        f"Reminded {count} invitee{'s' if count != 1 else ''} to reply, one email each."
    )
    return _back_to_list(department, the_cycle, selection, note, outcome)


@bp.route("/withdraw", methods=["POST"])
@login_required
def withdraw_selected(slug: str, cycle: str):
    department, the_cycle, season = load_season(slug, cycle, manage=True)
    selection, invitations, gone, never = _selected(season, ("invitations", "applications"))
    if not posted.flag("confirmed"):
        return render_template(
            "interviews/staff/withdraw.html",
            department=department,
            cycle=the_cycle,
            season=season,
            selection=selection,
            invitations=invitations,
            gone=gone,
            never=never,
        )
    outcome = bulk.withdraw_invitations(season, invitations, by=current_user)
    outcome.refused.extend(never)
    count = len(outcome.done)
    note = outcome.summary(
        f"Withdrew {count} invitation{'s' if count != 1 else ''}; each invitee is told."
    )
    return _back_to_list(department, the_cycle, selection, note, outcome)


@bp.route("")
@login_required
def invitations_list(slug: str, cycle: str):
    department, the_cycle, season = load_season(slug, cycle)
    return _invitations_page(department, the_cycle, season, _invite_form())


@bp.route("", methods=["POST"])
@login_required
def invite(slug: str, cycle: str):
    department, the_cycle, season = load_season(slug, cycle, manage=True)
    form = _invite_form()
    if form.validate_on_submit():
        chosen = list(
            db.session.scalars(
                select(Application).where(Application.id.in_(form.applications.data))
            )
        )
        if len(chosen) != len(set(form.applications.data)):
            chosen = []
        with refusal() as refused:
            sent = invitations.invite_applicants(
                season, chosen, reply_by=local_end_of_day(form.reply_by.data), by=current_user
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"{len(sent)} invitation(s) sent.", "success")
            return redirect(
                url_for("interview_invitations.invitations_list", slug=slug, cycle=cycle), code=303
            )
    return _invitations_page(department, the_cycle, season, form, status=400)


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_list(slug: str, cycle: str):
    department, the_cycle, season = load_season(slug, cycle, manage=True)
    form = ImportForm()
    if request.method == "GET":
        form.reply_by.data = _default_reply_by()
    problems: list[str] = []
    if form.validate_on_submit():
        upload = form.file.data
        if not (upload.filename or "").lower().endswith(".csv"):
            form.file.errors.append("Upload a .csv file (in a spreadsheet: Save as, CSV UTF-8).")
        else:
            with refusal() as refused:
                sent = invitations.import_invitees(
                    season,
                    upload.read(invitations.MAX_IMPORT_BYTES + 1),
                    reply_by=local_end_of_day(form.reply_by.data),
                    by=current_user,
                )
            if isinstance(refused.error, invitations.ImportRefused):
                attach_error(form, refused.error)
                problems = refused.error.problems
            elif error := refused.error:
                attach_error(form, error)
            else:
                db.session.commit()
                flash(f"{len(sent)} invitation(s) sent from the list.", "success")
                return redirect(
                    url_for("interview_invitations.invitations_list", slug=slug, cycle=cycle),
                    code=303,
                )
    return render_template(
        "interviews/staff/import.html",
        department=department,
        cycle=the_cycle,
        season=season,
        form=form,
        problems=problems,
    ), (400 if form.errors or problems else 200)
