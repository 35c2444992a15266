"""Assigning a reviewer to applications chosen on the department's application list."""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from clerkship.applications import listing
from clerkship.applications.queries import applications_by_ids
from clerkship.core.forms import attach_error
from clerkship.core.params import BadParameter, posted
from clerkship.core.permissions import login_required, require
from clerkship.core.rules import RuleViolation
from clerkship.core.selection import posted_selection
from clerkship.core.transactions import refusal
from clerkship.cycles import queries as catalogue
from clerkship.extensions import db
from clerkship.reviews.assignment import services
from clerkship.reviews.forms import ManualAssignForm
from clerkship.reviews.permissions import can_manage_reviews
from clerkship.reviews.rounds import services as round_services
from clerkship.reviews.rounds.views import started

bp = Blueprint("review_assignment", __name__, url_prefix="/departments/<slug>/reviews")


@bp.route("/assign-selected", methods=["POST"])
@login_required
def assign_selected(slug: str):
    department = catalogue.department_or_404(slug)
    selection = posted_selection(("applications",))
    if selection is None or selection.is_empty:
        raise BadParameter("Tick applications on the list, or choose all matching, first.")
    cycle = listing.selection_cycle(selection)
    review_round = round_services.find_round(department, cycle) or round_services.draft_round(
        department, cycle
    )
    require(
        can_manage_reviews(current_user, review_round),
        f"Only the directors of {department.name} assign its reviewers.",
    )
    selected = listing.resolve_selection(current_user, department, selection)
    reviewers = {r.id: r for r in services.round_reviewers(review_round)}
    action = posted.choice("action", ("choose", "assign"), "choose")
    if action == "choose":
        form = ManualAssignForm(formdata=None, due_on=review_round.due_on)
    else:
        form = ManualAssignForm()
    form.reviewer.choices = [(0, "Choose a reviewer")] + [
        (i, r.full_name) for i, r in reviewers.items()
    ]
    back = url_for(
        "staff_applications.index", slug=department.slug, **dict(parse_qsl(selection.scope_query))
    )
    if action == "assign" and form.validate_on_submit():
        with refusal() as refused:
            reviewer = reviewers.get(form.reviewer.data)
            if reviewer is None:
                raise RuleViolation("Choose a reviewer from the list.", field="reviewer")
            review_round = started(department, cycle)
            names = dict(listing.names_of(selected.ids))
            outcome = services.assign_reviewer_to_many(
                review_round,
                [(a, names[a.id]) for a in applications_by_ids(selected.ids)],
                reviewer,
                due_on=form.due_on.data,
                by=current_user,
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            note = outcome.summary(
                f"{reviewer.full_name} now reviews {len(outcome.done)} more "
                f"application{'s' if len(outcome.done) != 1 else ''}."
            )
            db.session.commit()
            flash(note, "success" if outcome.done else "warning")
            return redirect(back, code=303)
    return render_template(
        "reviews/assign_selected.html",
        department=department,
        cycle=cycle,
        review_round=review_round,
        selection=selection,
        count=len(selected.ids),
        gone=selected.gone,
        form=form,
        back=back,
    ), (400 if action == "assign" else 200)
