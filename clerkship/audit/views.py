"""The audit log for administrators."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from clerkship.audit import queries
from clerkship.audit.forms import AuditFilterForm
from clerkship.audit.permissions import can_view_audit_log
from clerkship.audit.wording import action_label
from clerkship.core.params import query
from clerkship.core.permissions import login_required, require
from clerkship.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


@bp.route("/")
@login_required
def index():
    require(can_view_audit_log(current_user), "Only administrators read the audit log.")
    form = AuditFilterForm(request.args)
    form.action.choices = [("", "Any action")] + [
        (a, action_label(a)) for a in db.session.scalars(queries.audit_actions())
    ]
    filters = {}
    if form.validate():
        filters = {
            "action": form.action.data or None,
            "person": form.person.data or None,
            "target_type": form.target_type.data or None,
            "since": form.since.data,
            "until": form.until.data,
        }
    page = db.paginate(
        queries.audit_events(**filters),
        page=query.page(),
        per_page=100,
        error_out=False,
    )
    return render_template("audit/index.html", form=form, page=page)
