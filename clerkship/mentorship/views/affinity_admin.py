"""The institution's affinity groups, kept by administrators, and the list sent to each contact."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from clerkship.core.forms import attach_error
from clerkship.core.permissions import login_required, require
from clerkship.core.transactions import refusal
from clerkship.extensions import db
from clerkship.mentorship import queries
from clerkship.mentorship.forms import AffinityGroupForm
from clerkship.mentorship.models import AffinityGroup
from clerkship.mentorship.permissions import can_manage_affinity_groups
from clerkship.mentorship.services import directory, privacy

bp = Blueprint("affinity_admin", __name__, url_prefix="/admin/affinity-groups")

ADMINS_ONLY = "Only administrators keep the affinity groups."


def _group(group_id: int) -> AffinityGroup:
    group = db.session.get(AffinityGroup, group_id)
    if group is None:
        abort(404)
    return group


@bp.route("/")
@login_required
def index():
    require(can_manage_affinity_groups(current_user), ADMINS_ONLY)
    return render_template("mentorship/groups.html", groups=queries.affinity_groups())


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:group_id>", methods=["GET", "POST"])
@login_required
def edit(group_id: int | None = None):
    require(can_manage_affinity_groups(current_user), ADMINS_ONLY)
    group = _group(group_id) if group_id is not None else None
    form = AffinityGroupForm(obj=group)
    if form.validate_on_submit():
        with refusal() as refused:
            directory.save_affinity_group(
                group,
                name=form.name.data,
                contact_email=form.contact_email.data,
                description=form.description.data or "",
                active=form.active.data,
                by=current_user,
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"{form.name.data} is saved.", "success")
            return redirect(url_for("affinity_admin.index"))
    return render_template("mentorship/group.html", group=group, form=form)


@bp.route("/<int:group_id>/send", methods=["POST"])
@login_required
def send(group_id: int):
    require(can_manage_affinity_groups(current_user), ADMINS_ONLY)
    group = _group(group_id)
    with refusal() as refused:
        count = privacy.send_affinity_list(group, by=current_user)
    if error := refused.error:
        flash(error.message, "danger")
    else:
        db.session.commit()
        students = "1 student" if count == 1 else f"{count} students"
        flash(f"The list of {students} is emailed to {group.contact_email}.", "success")
    return redirect(url_for("affinity_admin.index"))
