"""Staff write to selected students; directors word templates and automatic emails;
students read every message sent to them."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from clerkship.communications import queries, services
from clerkship.communications.automatic import AUTOMATIC_EMAILS
from clerkship.communications.forms import AutomaticEmailForm, ComposeForm, TemplateForm
from clerkship.communications.merge import FIELDS, LINK_FIELD
from clerkship.communications.models import MessageTemplate
from clerkship.communications.permissions import (
    can_edit_message_templates,
    can_read_own_messages,
    can_write_to_students,
)
from clerkship.communications.recipients import SOURCES, SelectionRefused, resolve
from clerkship.core.forms import attach_error
from clerkship.core.params import posted, query
from clerkship.core.permissions import login_required, require
from clerkship.core.selection import posted_selection
from clerkship.core.time import local_end_of_day
from clerkship.core.transactions import refusal
from clerkship.cycles import queries as cycle_queries
from clerkship.cycles.models import Department
from clerkship.extensions import db

bp = Blueprint("communications", __name__)

# How a student reads the outbox's states.
STATE_LABELS = {
    "queued": "being sent",
    "sending": "being sent",
    "sent": "sent",
    "failed": "not delivered yet: clerkship keeps trying",
}


def _department(slug: str, *, edit: bool = False) -> Department:
    department = cycle_queries.department_or_404(slug)
    if edit:
        require(
            can_edit_message_templates(current_user, department),
            f"Only the directors of {department.name} word its templates and emails.",
        )
    else:
        require(
            can_write_to_students(current_user, department),
            f"Only the directors and coordinators of {department.name} write to its students.",
        )
    return department


# Writing to students ------------------------------------------------------------------


@bp.route("/departments/<slug>/messages/")
@login_required
def sent(slug: str):
    department = _department(slug)
    page = db.paginate(
        queries.staff_messages(department),
        page=query.page(),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return render_template("communications/sent.html", department=department, page=page)


@bp.route("/departments/<slug>/messages/new", methods=["GET", "POST"])
@login_required
def compose(slug: str):
    department = _department(slug)
    selection = posted_selection(SOURCES) if request.method == "POST" else None
    if selection is None:
        if request.method == "POST":
            abort(400, description="Choose the students on a list first.")
        return render_template("communications/choose.html", department=department)
    try:
        resolution = resolve(current_user, department, selection)
    except SelectionRefused as refused:
        abort(403, description=str(refused))
    templates = queries.department_templates(department)
    action = posted.choice("action", ("select", "load", "preview", "send"), "select")
    form = ComposeForm(formdata=None if action == "select" else request.form)
    form.template.choices = [("", "Free text")] + [(str(t.id), t.name) for t in templates]
    chosen = next((t for t in templates if str(t.id) == form.template.data), None)
    if action == "select":
        form.send_key.data = secrets.token_urlsafe(24)
    elif action == "load" and chosen is not None:
        form.subject.data, form.body.data = chosen.subject, chosen.body
    rendered, status = None, 200
    if action in ("preview", "send") and form.validate():
        answer_by = local_end_of_day(form.answer_by.data) if form.answer_by.data else None
        with refusal() as refused:
            if action == "preview":
                rendered = services.preview(
                    resolution,
                    department,
                    subject=form.subject.data,
                    body=form.body.data,
                    answer_by=answer_by,
                )
            else:
                message, new = services.send_staff_message(
                    department,
                    resolution,
                    source=selection.source,
                    subject=form.subject.data,
                    body=form.body.data,
                    send_key=form.send_key.data or "",
                    answer_by=answer_by,
                    template=chosen,
                    by=current_user,
                )
        if error := refused.error:
            attach_error(form, error)
            rendered, status = None, 400
        elif action == "send":
            # Read before the commit: nothing after it touches the database again.
            note = _sent_note(message.recipient_count, resolution) if new else None
            back = url_for("communications.sent", slug=department.slug)
            db.session.commit()
            if note:
                flash(note, "success")
            else:
                flash("This message was sent already; it was not sent again.", "info")
            return redirect(back)
    elif action in ("preview", "send"):
        status = 400
    return render_template(
        "communications/compose.html",
        department=department,
        selection=selection,
        resolution=resolution,
        form=form,
        rendered=rendered,
        fields=FIELDS,
    ), status


def _sent_note(count: int, resolution) -> str:
    note = (
        f"Your message is on its way to {count} student{'s' if count != 1 else ''}, one email each."
    )
    if resolution.refused:
        names = "; ".join(f"{name} ({why})" for name, why in resolution.refused)
        note += f" Not sent to: {names}."
    return note


# Templates and automatic emails -------------------------------------------------------


@bp.route("/departments/<slug>/message-templates/")
@login_required
def templates(slug: str):
    department = _department(slug)
    return render_template(
        "communications/templates.html",
        department=department,
        templates=queries.department_templates(department),
        automatic=AUTOMATIC_EMAILS,
        changed=queries.automatic_versions(department),
        fields=FIELDS,
    )


def _template(department: Department, template_id: int) -> MessageTemplate:
    template = db.session.get(MessageTemplate, template_id)
    if template is None or template.department_id != department.id or template.automatic:
        abort(404)
    return template


@bp.route("/departments/<slug>/message-templates/new", methods=["GET", "POST"])
@bp.route("/departments/<slug>/message-templates/<int:template_id>", methods=["GET", "POST"])
@login_required
def edit_template(slug: str, template_id: int | None = None):
    department = _department(slug, edit=True)
    template = _template(department, template_id) if template_id else None
    form = TemplateForm(obj=template)
    if form.validate_on_submit():
        with refusal() as refused:
            services.save_template(
                department,
                template,
                name=form.name.data,
                subject=form.subject.data,
                body=form.body.data,
                by=current_user,
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash("The template is saved.", "success")
            return redirect(url_for("communications.templates", slug=department.slug))
    return render_template(
        "communications/template_form.html",
        department=department,
        template=template,
        form=form,
        fields=FIELDS,
    ), 400 if form.errors else 200


@bp.route("/departments/<slug>/message-templates/<int:template_id>/delete", methods=["POST"])
@login_required
def delete_template(slug: str, template_id: int):
    department = _department(slug, edit=True)
    template = _template(department, template_id)
    services.delete_template(template, by=current_user)
    db.session.commit()
    flash("The template is deleted.", "info")
    return redirect(url_for("communications.templates", slug=department.slug))


def _automatic(key: str):
    email = AUTOMATIC_EMAILS.get(key)
    if email is None:
        abort(404)
    return email


@bp.route("/departments/<slug>/automatic-emails/<key>", methods=["GET", "POST"])
@login_required
def edit_automatic(slug: str, key: str):
    department = _department(slug, edit=True)
    email = _automatic(key)
    version = services.automatic_version(department.id, key)
    form = AutomaticEmailForm(obj=version)
    if request.method == "GET" and version is None:
        form.subject.data, form.body.data = email.subject, email.body
    if form.validate_on_submit():
        with refusal() as refused:
            services.save_automatic_email(
                department, key, subject=form.subject.data, body=form.body.data, by=current_user
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"{department.name} now sends its own “{email.label}”.", "success")
            return redirect(url_for("communications.templates", slug=department.slug))
    return render_template(
        "communications/automatic_form.html",
        department=department,
        email=email,
        version=version,
        form=form,
        fields={**FIELDS, **LINK_FIELD},
    ), 400 if form.errors else 200


@bp.route("/departments/<slug>/automatic-emails/<key>/reset", methods=["POST"])
@login_required
def reset_automatic(slug: str, key: str):
    department = _department(slug, edit=True)
    email = _automatic(key)
    services.reset_automatic_email(department, key, by=current_user)
    db.session.commit()
    flash(f"“{email.label}” is back to the default wording.", "info")
    return redirect(url_for("communications.templates", slug=department.slug))


# The student's messages ---------------------------------------------------------------


@bp.route("/messages")
@login_required
def inbox():
    require(can_read_own_messages(current_user), "Messages are kept for students.")
    page = db.paginate(
        queries.messages_to(current_user.id),
        page=query.page(),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    departments = queries.department_names([m.department_id for m in page.items])
    return render_template(
        "communications/inbox.html", page=page, departments=departments, states=STATE_LABELS
    )
