"""Administrators manage users and their roles."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user
from sqlalchemy import select

from clerkship.accounts import queries, services
from clerkship.accounts.forms import (
    EditUserForm,
    EndSessionsForm,
    InviteForm,
    MembershipForm,
    ResetTwoFactorForm,
    UserFilterForm,
)
from clerkship.accounts.models import Department, Membership, Role, User
from clerkship.accounts.permissions import can_manage_users
from clerkship.core.forms import attach_error
from clerkship.core.params import query
from clerkship.core.permissions import login_required, require
from clerkship.core.transactions import refusal
from clerkship.extensions import db

bp = Blueprint("users", __name__, url_prefix="/admin/users")

FORBIDDEN = "Only administrators manage users and roles."


def _department_choices() -> list[tuple[str, str]]:
    return [("", "None (institution-wide role)")] + [
        (str(d.id), d.name) for d in queries.departments()
    ]


def _membership_values(form: MembershipForm) -> tuple[Role, Department | None]:
    chosen = int(form.department.data) if form.department.data else None
    department = next((d for d in queries.departments() if d.id == chosen), None)
    return Role(form.role.data), department


def _load_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/")
@login_required
def index():
    require(can_manage_users(current_user), FORBIDDEN)
    form = UserFilterForm(request.args)
    form.validate()
    role = query.enum("role", Role)
    state = query.choice("state", queries.ACCOUNT_STATES)
    page = db.paginate(
        queries.users_matching(query.text("q"), role, state),
        page=query.page(),
        per_page=50,
        error_out=False,
    )
    return render_template("users/index.html", form=form, page=page)


@bp.route("/invite", methods=["GET", "POST"])
@login_required
def invite():
    require(can_manage_users(current_user), FORBIDDEN)
    form = InviteForm()
    form.department.choices = _department_choices()
    if form.validate_on_submit():
        with refusal() as refused:
            role, department = _membership_values(form)
            user = services.invite_staff(
                email=form.email.data,
                full_name=form.full_name.data,
                memberships=[(role, department)],
                by=current_user,
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"Invitation sent to {user.email}.", "success")
            return redirect(url_for("users.edit", user_id=user.id))
    return render_template("users/invite.html", form=form)


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@login_required
def edit(user_id: int):
    require(can_manage_users(current_user), FORBIDDEN)
    user = _load_user(user_id)
    form = EditUserForm(obj=user)
    membership_form = MembershipForm(formdata=None)
    membership_form.department.choices = _department_choices()
    if form.validate_on_submit():
        with refusal() as refused:
            services.update_user(
                user, full_name=form.full_name.data, active=form.active.data, by=current_user
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Saved.", "success")
            return redirect(url_for("users.edit", user_id=user.id))
    return render_template("users/edit.html", user=user, form=form, membership_form=membership_form)


@bp.route("/<int:user_id>/memberships", methods=["POST"])
@login_required
def add_membership(user_id: int):
    require(can_manage_users(current_user), FORBIDDEN)
    user = _load_user(user_id)
    membership_form = MembershipForm()
    membership_form.department.choices = _department_choices()
    if membership_form.validate_on_submit():
        with refusal() as refused:
            role, department = _membership_values(membership_form)
            services.grant_role(user, role, department, by=current_user)
        if error := refused.error:
            attach_error(membership_form, error)
        else:
            db.session.commit()
            flash("Role added.", "success")
            return redirect(url_for("users.edit", user_id=user.id))
    form = EditUserForm(formdata=None, obj=user)
    return render_template(
        "users/edit.html", user=user, form=form, membership_form=membership_form
    ), 400


@bp.route("/<int:user_id>/memberships/<int:membership_id>/delete", methods=["POST"])
@login_required
def remove_membership(user_id: int, membership_id: int):
    require(can_manage_users(current_user), FORBIDDEN)
    user = _load_user(user_id)
    membership = db.session.scalar(
        select(Membership).where(Membership.id == membership_id, Membership.user_id == user.id)
    )
    if membership is None:
        flash("That role had already been removed.", "info")
        return redirect(url_for("users.edit", user_id=user.id))
    with refusal() as refused:
        services.revoke_membership(membership, by=current_user)
    if error := refused.error:
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash("Role removed.", "success")
    return redirect(url_for("users.edit", user_id=user.id))


@bp.route("/<int:user_id>/invitation", methods=["POST"])
@login_required
def resend_invitation(user_id: int):
    require(can_manage_users(current_user), FORBIDDEN)
    user = _load_user(user_id)
    with refusal() as refused:
        services.send_invitation(user, by=current_user)
    if error := refused.error:
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(
            f"A new invitation was sent to {user.email}; earlier links no longer work.", "success"
        )
    return redirect(url_for("users.edit", user_id=user.id))


@bp.route("/<int:user_id>/sessions/end", methods=["POST"])
@login_required
def end_sessions(user_id: int):
    require(can_manage_users(current_user), FORBIDDEN)
    user = _load_user(user_id)
    if EndSessionsForm().validate_on_submit():
        services.end_sessions(user, by=current_user)
        db.session.commit()
        if user.id == current_user.id:
            login_user(user)  # an administrator ending their own sessions keeps this one
        flash(f"{user.full_name} is signed out on every device.", "success")
    return redirect(url_for("users.edit", user_id=user.id))


@bp.route("/<int:user_id>/two-factor/reset", methods=["POST"])
@login_required
def reset_two_factor(user_id: int):
    require(can_manage_users(current_user), FORBIDDEN)
    user = _load_user(user_id)
    if ResetTwoFactorForm().validate_on_submit():
        with refusal() as refused:
            services.reset_two_factor(user, by=current_user)
        if error := refused.error:
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(
                f"Two-step sign-in of {user.full_name} is reset and they are signed out; "
                "they set it up again at their next sign-in.",
                "success",
            )
    return redirect(url_for("users.edit", user_id=user.id))
