"""The student's side: profile, the application wizard, submission, withdrawal and status."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from clerkship.applications import queries, services
from clerkship.applications.forms import (
    ChoiceForm,
    ProfileForm,
    StatementForm,
    SubmitForm,
    WithdrawForm,
)
from clerkship.applications.models import Accreditation, Application, ExamResult
from clerkship.applications.permissions import (
    can_apply,
    can_edit_profile,
    can_withdraw_application,
)
from clerkship.applications.services import drafts, profiles
from clerkship.applications.wizard import (
    after_save,
    draft_application,
    form_version,
    own_application,
    render_step,
)
from clerkship.core.forms import attach_error
from clerkship.core.params import posted, query
from clerkship.core.permissions import login_required, require
from clerkship.core.transactions import refusal
from clerkship.core.urls import safe_next
from clerkship.cycles.models import Block, Cycle, Department
from clerkship.cycles.queries import current_cycle
from clerkship.documents.forms import UploadForm
from clerkship.documents.models import DocumentKind
from clerkship.documents.queries import current_documents, redacted_copies_wanted
from clerkship.documents.services import upload_document
from clerkship.extensions import db
from clerkship.letters.forms import LetterRequestForm
from clerkship.letters.queries import letter_requests
from clerkship.letters.services import request_letter

bp = Blueprint("applications", __name__)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    require(can_edit_profile(current_user), "Only students have a profile.")
    saved = queries.profile_for(current_user)
    form = ProfileForm(obj=saved)
    if request.method == "GET":
        form.version.data = str(saved.version) if saved else ""
        if saved:
            form.accreditation.data = saved.accreditation.value if saved.accreditation else None
            form.usmle_step1.data = saved.usmle_step1.value
            form.comlex_level1.data = saved.comlex_level1.value
    if form.validate_on_submit():
        values = {name: form[name].data for name in profiles.PROFILE_FIELDS}
        values["accreditation"] = Accreditation(values["accreditation"])
        values["usmle_step1"] = ExamResult(values["usmle_step1"])
        values["comlex_level1"] = ExamResult(values["comlex_level1"])
        values["aamc_id"] = values["aamc_id"] or None
        with refusal() as refused:
            profiles.save_profile(
                current_user,
                version=form_version(form) if saved else None,
                by=current_user,
                **values,
            )
        if error := refused.error:
            attach_error(form, error)
            form.version.data = str(saved.version) if saved else ""
        else:
            db.session.commit()
            flash("Your profile is saved.", "success")
            return redirect(
                safe_next(query.text("next", max_length=2000), url_for("applications.index"))
            )
    return render_template("applications/profile.html", form=form, saved=saved)


@bp.route("/applications/")
@login_required
def index():
    require(current_user.is_student, "Only students apply for visiting clerkships.")
    cycle = current_cycle()
    return render_template(
        "applications/index.html",
        applications=queries.student_applications(current_user),
        cycle=cycle,
        open_departments=queries.departments_open_to(current_user, cycle) if cycle else [],
        profile=queries.profile_for(current_user),
    )


@bp.route("/applications/new", methods=["POST"])
@login_required
def create():
    require(
        can_apply(current_user),
        "Only students with a confirmed email address can apply. Open the link we emailed you.",
    )
    cycle = db.session.get(Cycle, posted.id("cycle_id") or 0)
    department = db.session.get(Department, posted.id("department_id") or 0)
    if cycle is None or department is None:
        flash("Choose a department from the list.", "danger")
        return redirect(url_for("applications.index"))
    with refusal() as refused:
        application, created = services.start_application(
            current_user, cycle, department, by=current_user
        )
    if error := refused.error:
        flash(error.message, "danger")
        return redirect(url_for("applications.index"))
    db.session.commit()
    if created:
        flash(f"Your {department.name} application is started. It saves as you go.", "success")
    return redirect(url_for("applications.choices", application_id=application.id))


@bp.route("/applications/<int:application_id>/blocks", methods=["GET", "POST"])
@login_required
def choices(application_id: int):
    application = draft_application(application_id)
    if request.method == "POST":
        form = ChoiceForm()
        if not form.validate():
            flash("Use one of the buttons on the page.", "danger")
            return redirect(request.path)
        action, block_id, version = form.action.data, form.block_id.data, form_version(form)
        with refusal() as refused:
            if action == "add":
                block = db.session.get(Block, block_id) if block_id else None
                drafts.add_choice(application, block, version=version, by=current_user)
            elif action == "remove":
                drafts.remove_choice(application, block_id, version=version, by=current_user)
            else:
                offset = -1 if action == "up" else 1
                drafts.move_choice(
                    application, block_id, offset=offset, version=version, by=current_user
                )
        if error := refused.error:
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash("Your ranking is saved.", "success")
        return redirect(url_for("applications.choices", application_id=application.id))
    chosen = {choice.block_id for choice in application.choices}
    available = [
        b
        for b in queries.offered_blocks(application.department, application.cycle)
        if b.id not in chosen
    ]
    return render_step("applications/choices.html", application, available=available)


@bp.route("/applications/<int:application_id>/statement", methods=["GET", "POST"])
@login_required
def statement(application_id: int):
    application = draft_application(application_id)
    form = StatementForm(obj=application)
    saved_text = None
    if request.method == "GET":
        form.version.data = str(application.version)
    elif form.validate_on_submit():
        with refusal() as refused:
            words = drafts.save_statement(
                application,
                form.personal_statement.data,
                version=form_version(form),
                by=current_user,
            )
        if error := refused.error:
            attach_error(form, error)
            if error.field is None:  # a stale page: show what is saved, keep what was typed
                saved_text = application.personal_statement
                form.version.data = str(application.version)
        else:
            db.session.commit()
            limit = application.department.statement_word_limit
            over = f" That is {words - limit} over the limit of {limit}." if words > limit else ""
            flash(
                f"Your statement is saved ({words} words).{over}", "warning" if over else "success"
            )
            return after_save(application, "applications.statement")
    return render_step("applications/statement.html", application, form=form, saved_text=saved_text)


@bp.route("/applications/<int:application_id>/documents", methods=["GET", "POST"])
@login_required
def documents(application_id: int):
    application = draft_application(application_id)
    form = UploadForm()
    if form.validate_on_submit():
        kind = DocumentKind(form.kind.data)
        with refusal() as refused:
            upload_document(
                current_user,
                application.cycle,
                kind=kind,
                file_storage=form.file.data,
                expires_on=form.expires_on.data,
                by=current_user,
                redacted=form.redacted.data,
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            copy = " redacted copy" if form.redacted.data else ""
            flash(f"Your {kind.label.lower()}{copy} is uploaded.", "success")
            return redirect(url_for("applications.documents", application_id=application.id))
    held = current_documents(current_user, application.cycle)
    copies = current_documents(current_user, application.cycle, redacted=True)
    wanted = redacted_copies_wanted(application.department, application.cycle)
    return render_step(
        "applications/documents.html",
        application,
        form=form,
        held=held,
        redaction=[
            (kind, held.get(kind), copies.get(kind)) for kind in DocumentKind if kind in wanted
        ],
    )


@bp.route("/applications/<int:application_id>/letters", methods=["GET", "POST"])
@login_required
def letters(application_id: int):
    application = draft_application(application_id)
    form = LetterRequestForm()
    if form.validate_on_submit():
        with refusal() as refused:
            letter = request_letter(
                current_user,
                application.cycle,
                writer_name=form.writer_name.data,
                writer_email=form.writer_email.data,
                waived=form.waiver.data == "waive",
                by=current_user,
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"We emailed {letter.writer_name} a link to upload the letter.", "success")
            return redirect(url_for("applications.letters", application_id=application.id))
    return render_step(
        "applications/letters.html",
        application,
        form=form,
        requests=letter_requests(current_user, application.cycle),
    )


@bp.route("/applications/<int:application_id>/review")
@login_required
def review(application_id: int):
    application = draft_application(application_id)
    form = SubmitForm(formdata=None)
    form.version.data = str(application.version)
    return _review(application, form)


def _review(application: Application, form: SubmitForm):
    return render_step(
        "applications/review.html",
        application,
        step="applications.review",
        form=form,
        profile=queries.profile_for(current_user),
        held=current_documents(current_user, application.cycle),
        requests=letter_requests(current_user, application.cycle),
    )


@bp.route("/applications/<int:application_id>/submit", methods=["POST"])
@login_required
def submit(application_id: int):
    application = own_application(application_id)
    form = SubmitForm()
    if form.validate_on_submit():
        with refusal() as refused:
            event = services.submit_application(
                application, version=form_version(form), by=current_user
            )
        if error := refused.error:
            attach_error(form, error)
            form.version.data = str(application.version)
        else:
            db.session.commit()
            if event is None:
                flash("Your application was already submitted.", "info")
            else:
                flash(
                    f"Your {application.department.name} application is submitted. "
                    "We emailed you a confirmation.",
                    "success",
                )
            return redirect(url_for("applications.status", application_id=application.id))
    if not application.is_editable:
        return redirect(url_for("applications.status", application_id=application.id))
    return _review(application, form)


@bp.route("/applications/<int:application_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(application_id: int):
    application = own_application(application_id)
    if not can_withdraw_application(current_user, application):
        flash(
            f"This application is {application.state.label.lower()}; there is nothing to withdraw.",
            "info",
        )
        return redirect(url_for("applications.status", application_id=application.id))
    form = WithdrawForm()
    if form.validate_on_submit():
        with refusal() as refused:
            services.withdraw_application(application, by=current_user, reason=form.reason.data)
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"Your {application.department.name} application is withdrawn.", "success")
            return redirect(url_for("applications.status", application_id=application.id))
    return render_template("applications/withdraw.html", application=application, form=form)


@bp.route("/applications/<int:application_id>")
@login_required
def status(application_id: int):
    application = own_application(application_id)
    return render_template(
        "applications/status.html",
        application=application,
        checklist=queries.checklist_for(application) if application.is_editable else None,
        profile=queries.profile_for(current_user),
        held=current_documents(current_user, application.cycle),
        requests=letter_requests(current_user, application.cycle),
    )
