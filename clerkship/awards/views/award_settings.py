"""The award's settings per cycle, and each department's award timing."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from clerkship.awards import queries, services
from clerkship.awards.eligibility import Rule
from clerkship.awards.forms import AwardSettingsForm, AwardTimingForm
from clerkship.awards.money import format_money, to_dollars
from clerkship.awards.permissions import can_manage_award_settings
from clerkship.core.forms import attach_error
from clerkship.core.params import posted
from clerkship.core.permissions import login_required, require
from clerkship.core.transactions import refusal
from clerkship.cycles import queries as cycle_queries
from clerkship.cycles.models import AwardTiming
from clerkship.extensions import db
from clerkship.pathway.views.pathway import load_cycle

bp = Blueprint("award_settings", __name__, url_prefix="/awards")


@bp.route("/<cycle_slug>/settings", methods=["GET", "POST"])
@login_required
def edit(cycle_slug: str):
    cycle = load_cycle(cycle_slug)
    require(
        can_manage_award_settings(current_user),
        "Only the award committee and administrators change the award's settings.",
    )
    current = queries.settings_for(cycle)
    form = AwardSettingsForm(
        data=_settings_data(cycle, current) if request.method == "GET" else None
    )
    if form.validate_on_submit():
        with refusal() as refused:
            services.save_award_settings(
                cycle,
                budget_cents=form.budget.cents,
                deadline=form.deadline.data,
                essay_prompt=form.essay_prompt.data,
                essay_word_limit=form.essay_word_limit.data,
                rules=form.rules.data or [],
                amounts=form.amounts.amounts,
                version=form.version.data,
                by=current_user,
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash("The award's settings are saved.", "success")
            return redirect(url_for("award_settings.edit", cycle_slug=cycle.slug))
    if request.method == "POST":
        current = queries.settings_for(cycle)
        form.version.data = str(current.version) if current else ""
    departments = cycle_queries.departments()
    return render_template(
        "awards/settings.html",
        cycle=cycle,
        current=current,
        form=form,
        departments=departments,
        timing_forms={
            d.id: AwardTimingForm(
                formdata=None, prefix=f"d{d.id}", award_timing=d.award_timing.value
            )
            for d in departments
        },
    )


DEFAULT_PROMPT = (
    "Tell us about your path to medicine, what draws you to this rotation, and how you hope "
    "to serve communities that are underrepresented in medicine."
)


def _settings_data(cycle, current) -> dict:
    if current is None:
        return {
            "budget": None,
            "deadline": cycle.application_deadline,
            "amounts": "4 weeks: $2,000\n2 weeks: $1,000",
            "rules": [r.value for r in Rule],
            "essay_prompt": DEFAULT_PROMPT,
            "essay_word_limit": 500,
            "version": "",
        }
    return {
        "budget": to_dollars(current.budget_cents),
        "deadline": current.deadline,
        "amounts": "\n".join(
            f"{a.weeks} weeks: {format_money(a.amount_cents)}" for a in current.amounts
        ),
        "rules": list(current.rules),
        "essay_prompt": current.essay_prompt,
        "essay_word_limit": current.essay_word_limit,
        "version": str(current.version),
    }


@bp.route("/departments/<slug>/timing", methods=["POST"])
@login_required
def timing(slug: str):
    require(
        can_manage_award_settings(current_user),
        "Only the award committee and administrators change when students apply for the award.",
    )
    department = cycle_queries.department_or_404(slug)
    form = AwardTimingForm(prefix=f"d{department.id}")
    if form.validate_on_submit():
        services.set_award_timing(department, AwardTiming(form.award_timing.data), by=current_user)
        db.session.commit()
        flash(f"{department.name}: {department.award_timing.label.lower()}.", "success")
    else:
        flash("Choose one of the listed timings.", "danger")
    cycle = cycle_queries.current_cycle()
    target = posted.text("cycle") or (cycle.slug if cycle else None)
    if target is None:
        return redirect(url_for("home.index"))
    return redirect(url_for("award_settings.edit", cycle_slug=target))
