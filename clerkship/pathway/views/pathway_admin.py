"""Administrators set each cycle's pathway definition and read who viewed whose answers."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from clerkship.core.forms import attach_error
from clerkship.core.params import query
from clerkship.core.permissions import login_required, require
from clerkship.core.transactions import refusal
from clerkship.cycles import queries as cycle_queries
from clerkship.extensions import db
from clerkship.pathway import queries, services
from clerkship.pathway.forms import PathwayConfigForm, lines_of
from clerkship.pathway.permissions import can_configure_pathway, can_view_answer_views
from clerkship.pathway.services.purge import purge_allowed_from
from clerkship.pathway.views.pathway import load_cycle

bp = Blueprint("pathway_admin", __name__, url_prefix="/admin/pathway")


@bp.route("/")
@login_required
def index():
    require(can_configure_pathway(current_user), "Only administrators configure the pathway.")
    cycles = cycle_queries.all_cycles()
    return render_template(
        "pathway/admin_index.html",
        cycles=cycles,
        configs={c.id: queries.current_config(c) for c in cycles},
    )


@bp.route("/<cycle_slug>", methods=["GET", "POST"])
@login_required
def edit(cycle_slug: str):
    require(can_configure_pathway(current_user), "Only administrators configure the pathway.")
    cycle = load_cycle(cycle_slug)
    config = queries.config_or_default(cycle)
    form = PathwayConfigForm(
        definition=config.definition,
        categories="\n".join(config.categories),
        criteria="\n".join(config.criteria),
    )
    if form.validate_on_submit():
        with refusal() as refused:
            saved, kept = services.save_pathway_config(
                cycle,
                definition=form.definition.data,
                categories=lines_of(form.categories.data),
                criteria=lines_of(form.criteria.data),
                by=current_user,
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            if saved.number > 1 and saved.number > config.number:
                flash(
                    f"Saved as version {saved.number}: students have applied or answered in "
                    f"this cycle, so version {saved.number - 1} is kept as it was. {kept} "
                    f"student(s) answered version {saved.number - 1}; their answers stay with "
                    "it and they are asked to review them.",
                    "success",
                )
            else:
                flash(f"Version {saved.number} of the definition is saved.", "success")
            return redirect(url_for("pathway_admin.edit", cycle_slug=cycle.slug))
    retention = current_app.config["PATHWAY_RETENTION_DAYS"]
    return render_template(
        "pathway/admin_edit.html",
        cycle=cycle,
        form=form,
        versions=queries.config_versions(cycle),
        answered=queries.answers_per_version(cycle),
        aggregates=queries.aggregates(cycle),
        retention=retention,
        purge_from=purge_allowed_from(cycle, retention),
    )


@bp.route("/answer-views")
@login_required
def answer_views():
    require(
        can_view_answer_views(current_user),
        "Only administrators read who viewed self-identification answers.",
    )
    page = db.paginate(
        queries.answer_views(),
        page=query.page(),
        per_page=100,
        error_out=False,
    )
    return render_template("pathway/answer_views.html", page=page)
