"""The public catalogue, and the pages where directors configure rotations and blocks."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from clerkship.core.forms import attach_error
from clerkship.core.params import query
from clerkship.core.permissions import login_required, public, require
from clerkship.core.transactions import refusal
from clerkship.cycles import queries, services
from clerkship.cycles.forms import AllocationRuleForm, BlockForm, RotationForm
from clerkship.cycles.models import Block, Cycle, Department, Precedence, Rotation
from clerkship.cycles.permissions import can_manage_department, can_view_department
from clerkship.extensions import db

bp = Blueprint("cycles", __name__)


def _department(slug: str) -> Department:
    department = queries.department_or_404(slug)
    return department


def _chosen_cycle(cycles: list[Cycle]) -> Cycle | None:
    slug = query.text("cycle")
    for cycle in cycles:
        if cycle.slug == slug:
            return cycle
    return cycles[0] if cycles else None


@bp.route("/catalogue")
@public
def catalogue():
    cycles = queries.published_cycles()
    cycle = _chosen_cycle(cycles)
    listings = queries.catalogue(cycle) if cycle else []
    return render_template("cycles/catalogue.html", cycles=cycles, cycle=cycle, listings=listings)


@bp.route("/departments/<slug>/rotations/")
@login_required
def department(slug: str):
    department = _department(slug)
    require(
        can_view_department(current_user, department),
        f"Only the directors and coordinators of {department.name} see this page.",
    )
    cycles = queries.all_cycles()
    cycle = _chosen_cycle(cycles)
    listing = (
        queries.catalogue(cycle, department=department, active_only=False)[0] if cycle else None
    )
    rule_form = AllocationRuleForm(
        formdata=None,
        precedence=department.precedence.value,
        hard_reserves=department.hard_reserves,
    )
    return render_template(
        "cycles/department.html",
        department=department,
        cycles=cycles,
        cycle=cycle,
        listing=listing,
        rule_form=rule_form,
    )


@bp.route("/departments/<slug>/allocation-rule", methods=["POST"])
@login_required
def allocation_rule(slug: str):
    department = _department(slug)
    require(
        can_manage_department(current_user, department),
        f"Only the directors of {department.name} change its allocation rule.",
    )
    form = AllocationRuleForm()
    if form.validate_on_submit():
        services.set_allocation_rule(
            department,
            precedence=Precedence(form.precedence.data),
            hard_reserves=form.hard_reserves.data,
            by=current_user,
        )
        db.session.commit()
        flash("The published allocation rule is updated.", "success")
    else:
        flash("Choose one of the listed orders.", "danger")
    return redirect(url_for("cycles.department", slug=department.slug))


def _rotation_form(department: Department, rotation: Rotation | None) -> RotationForm:
    form = RotationForm(obj=rotation)
    form.site_id.choices = [(site.id, site.name) for site in queries.sites()]
    return form


@bp.route("/departments/<slug>/rotations/new", methods=["GET", "POST"])
@bp.route("/departments/<slug>/rotations/<int:rotation_id>/edit", methods=["GET", "POST"])
@login_required
def edit_rotation(slug: str, rotation_id: int | None = None):
    department = _department(slug)
    require(
        can_manage_department(current_user, department),
        f"Only the directors of {department.name} add or change its rotations.",
    )
    rotation = None
    if rotation_id is not None:
        rotation = db.session.get(Rotation, rotation_id)
        if rotation is None or rotation.department_id != department.id:
            abort(404)
    form = _rotation_form(department, rotation)
    if form.validate_on_submit():
        values = {
            name: form[name].data
            for name in (
                "code",
                "title",
                "site_id",
                "weeks",
                "description",
                "prerequisites",
                "active",
            )
        }
        with refusal() as refused:
            services.save_rotation(rotation, department=department, by=current_user, **values)
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"Rotation {values['title']} saved.", "success")
            return redirect(url_for("cycles.department", slug=department.slug))
    return render_template(
        "cycles/rotation_form.html", department=department, rotation=rotation, form=form
    )


def _department_block(department: Department, block_id: int) -> Block:
    block = db.session.get(Block, block_id)
    if block is None or block.rotation.department_id != department.id:
        abort(404)
    return block


@bp.route("/departments/<slug>/blocks/new", methods=["GET", "POST"])
@bp.route("/departments/<slug>/blocks/<int:block_id>/edit", methods=["GET", "POST"])
@login_required
def edit_block(slug: str, block_id: int | None = None):
    department = _department(slug)
    require(
        can_manage_department(current_user, department),
        f"Only the directors of {department.name} add or change its blocks.",
    )
    block = _department_block(department, block_id) if block_id is not None else None
    form = BlockForm(obj=block)
    rotations = [r for r in department.rotations]
    form.rotation_id.choices = [(r.id, f"{r.code} {r.title} ({r.site.name})") for r in rotations]
    form.cycle_id.choices = [(c.id, c.name) for c in queries.all_cycles()]
    if request.method == "GET" and block is None:
        form.rotation_id.data = query.id("rotation")
        cycle = queries.current_cycle()
        form.cycle_id.data = query.id("cycle") or (cycle.id if cycle else None)
    if form.validate_on_submit():
        with refusal() as refused:
            services.save_block(
                block,
                rotation=db.session.get(Rotation, form.rotation_id.data),
                cycle=db.session.get(Cycle, form.cycle_id.data),
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                capacity=form.capacity.data,
                reserved=form.reserved.data,
                by=current_user,
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            cycle = db.session.get(Cycle, form.cycle_id.data)
            db.session.commit()
            flash("Block saved.", "success")
            return redirect(url_for("cycles.department", slug=department.slug, cycle=cycle.slug))
    return render_template("cycles/block_form.html", department=department, block=block, form=form)


@bp.route("/departments/<slug>/blocks/<int:block_id>/delete", methods=["POST"])
@login_required
def delete_block(slug: str, block_id: int):
    department = _department(slug)
    require(
        can_manage_department(current_user, department),
        f"Only the directors of {department.name} delete its blocks.",
    )
    block = db.session.get(Block, block_id)
    if block is None:
        flash("That block had already been deleted.", "info")
        return redirect(url_for("cycles.department", slug=department.slug))
    if block.rotation.department_id != department.id:
        abort(404)
    cycle_slug = block.cycle.slug
    with refusal() as refused:
        services.delete_block(block, by=current_user)
    if error := refused.error:
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash("Block deleted.", "success")
    return redirect(url_for("cycles.department", slug=department.slug, cycle=cycle_slug))
