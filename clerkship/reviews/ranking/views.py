"""Directors' pages over a department's reviews: the ranking, the reliability and bias panel,
and one application's reviews with its reviewers and discussion."""

from __future__ import annotations

import math

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_login import current_user
from sqlalchemy import select

from clerkship.applications.models import Application
from clerkship.applications.permissions import can_see_pathway_flag
from clerkship.core.forms import attach_error
from clerkship.core.params import query
from clerkship.core.permissions import login_required
from clerkship.core.rules import RuleViolation
from clerkship.core.transactions import refusal
from clerkship.cycles.models import Block, Rotation
from clerkship.extensions import db
from clerkship.reviews import queries
from clerkship.reviews.assignment import services as assignment_services
from clerkship.reviews.assignment.conflicts import find_conflicts
from clerkship.reviews.forms import (
    CompositeForm,
    DiscussionForm,
    ManualAssignForm,
    PanelForm,
    RankingFilterForm,
)
from clerkship.reviews.models import CompositeSource
from clerkship.reviews.ranking import composites, listing
from clerkship.reviews.ranking.panel import reliability_panel
from clerkship.reviews.records import ReviewAssignment
from clerkship.reviews.reviewing import services as review_services
from clerkship.reviews.rounds import services
from clerkship.reviews.rounds.views import load_round, round_url, started
from clerkship.reviews.rubrics.services import current_rubric

bp = Blueprint("review_ranking", __name__, url_prefix="/departments/<slug>/reviews")

PER_PAGE = 50


def _blocks(review_round) -> list[Block]:
    return list(
        db.session.scalars(
            select(Block)
            .join(Rotation, Rotation.id == Block.rotation_id)
            .where(
                Rotation.department_id == review_round.department_id,
                Block.cycle_id == review_round.cycle_id,
            )
            .order_by(Rotation.title, Block.starts_on, Block.id)
        )
    )


def _composite_form(review_round, formdata=None) -> CompositeForm:
    if formdata is not None:
        return CompositeForm()
    return CompositeForm(
        formdata=None,
        source=review_round.composite_source.value,
        version=str(review_round.version),
    )


def _ranking_page(review_round, cycles, composite_form, status=200):
    sees_pathway = can_see_pathway_flag(current_user, review_round.department)
    filters = RankingFilterForm(request.args)
    blocks = _blocks(review_round)
    filters.block.choices = [("", "Any block")] + [(str(b.id), b.label) for b in blocks]
    if not sees_pathway:
        del filters.pathway
    filters.validate()
    pathway = None
    if sees_pathway and filters.pathway.data in ("yes", "no"):
        pathway = filters.pathway.data == "yes"
    choice = {
        "sort": filters.sort.data if filters.sort.data in queries.SORTS else "composite",
        "pathway": pathway,
        "block_id": query.id("block"),
        "disagreement_only": bool(filters.disagreement.data),
    }
    stamp = composites.current_stamp(review_round)
    if stamp is not None:
        # The database ranks, filters and cuts the page from the stored composites.
        listed, page = listing.ranking_page(
            review_round, current_user, **choice, page=query.page(), per_page=PER_PAGE
        )
        calibration = composites.pooled_calibration(stamp)
    else:
        listed, page = _ranking_in_python(review_round, choice)
        calibration = composites.Pool.of(queries.score_round(review_round).calibration)
    queries.fill_names(listed.rows)
    queries.fill_review_counts(review_round, listed.rows)
    return (
        render_template(
            "reviews/ranking.html",
            review_round=review_round,
            cycles=cycles,
            filters=filters,
            rows=listed.rows,
            total=listed.total,
            ranked=listed.ranked,
            page=page,
            pages=max(1, math.ceil(listed.total / PER_PAGE)),
            sees_pathway=sees_pathway,
            calibration=calibration,
            # Pooled figures include reviews the viewer may not see yet.
            withheld_any=listed.withheld_any,
            calibrated_reviewers=calibration.calibrated_reviewers,
            composite_form=composite_form,
        ),
        status,
    )


def _ranking_in_python(review_round, choice: dict) -> tuple[listing.RankingPage, int]:
    """The page from every row in Python (the reference), while the stored composites lag."""
    rows = queries.ranking_rows(review_round, queries.score_round(review_round), current_user)
    shown = queries.filter_and_sort(rows, **choice)
    pages = max(1, math.ceil(len(shown) / PER_PAGE))
    page = min(query.page(), pages)
    listed = listing.RankingPage(
        shown[(page - 1) * PER_PAGE : page * PER_PAGE],
        len(shown),
        sum(1 for r in rows if r.rank is not None),
        any(r.withheld for r in rows),
    )
    return listed, page


@bp.route("/ranking")
@login_required
def ranking(slug: str):
    _department, _cycle, review_round, cycles = load_round(slug)
    return _ranking_page(review_round, cycles, _composite_form(review_round))[0]


@bp.route("/ranking/source", methods=["POST"])
@login_required
def choose_source(slug: str):
    department, cycle, review_round, cycles = load_round(slug)
    form = _composite_form(review_round, formdata=True)
    if form.validate_on_submit() and form.source.data in {s.value for s in CompositeSource}:
        review_round = started(department, cycle)
        with refusal() as refused:
            services.choose_composite(
                review_round,
                CompositeSource(form.source.data),
                version=form.version.number,
                by=current_user,
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(
                f"The {review_round.composite_source.label.lower()} now feeds the allocation.",
                "success",
            )
            return redirect(round_url("review_ranking.ranking", review_round))
    return _ranking_page(review_round, cycles, form, status=400)


@bp.route("/statistics")
@login_required
def statistics(slug: str):
    _department, _cycle, review_round, cycles = load_round(slug)
    form = PanelForm(request.args)
    top = form.top.data if form.validate() else None
    scores = queries.score_round(review_round)
    rows = queries.ranking_rows(review_round, scores, current_user)
    rubric = current_rubric(review_round)
    withheld = {r.application_id for r in rows if r.withheld}
    panel = reliability_panel(review_round, rubric, scores, rows, top=top, withheld=withheld)
    return render_template(
        "reviews/statistics.html",
        review_round=review_round,
        cycles=cycles,
        panel=panel,
        form=form,
        rubric=rubric,
        withheld=len(withheld),
    )


def _application(review_round, application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None or (application.department_id, application.cycle_id) != (
        review_round.department_id,
        review_round.cycle_id,
    ):
        abort(404)
    return application


def _application_page(review_round, cycles, application, status=200, **forms):
    assignments = []
    if review_round.id is not None:
        assignments = list(
            db.session.scalars(
                select(ReviewAssignment)
                .where(
                    ReviewAssignment.round_id == review_round.id,
                    ReviewAssignment.application_id == application.id,
                )
                .order_by(ReviewAssignment.id)
            )
        )
    mine = next((a for a in assignments if a.reviewer_id == current_user.id), None)
    # A director who reviews this application sees the others' scores only after theirs.
    withheld = mine is not None and not mine.is_submitted
    on_it = {a.reviewer_id for a in assignments}
    candidates = [r for r in assignment_services.round_reviewers(review_round) if r.id not in on_it]
    conflicts = find_conflicts({r.id for r in candidates}, {application.id: application.student_id})
    form = forms.get("assign_form") or ManualAssignForm(formdata=None, due_on=review_round.due_on)
    form.reviewer.choices = [(0, "Choose a reviewer")] + [
        (r.id, r.full_name) for r in candidates if (r.id, application.id) not in conflicts
    ]
    posts = []
    if review_round.id is not None:
        posts = review_services.discussion_of(review_round, ("application", application.id))
    return (
        render_template(
            "reviews/application.html",
            review_round=review_round,
            cycles=cycles,
            application=application,
            rubric=current_rubric(review_round),
            assignments=assignments,
            withheld=withheld,
            mine=mine,
            conflicted=[
                (r, conflicts[(r.id, application.id)])
                for r in candidates
                if (r.id, application.id) in conflicts
            ],
            assign_form=form,
            discussion=posts,
            discussion_form=forms.get("discussion_form") or DiscussionForm(formdata=None),
            sees_pathway=can_see_pathway_flag(current_user, review_round.department),
            scores=queries.score_round(review_round) if not withheld else None,
        ),
        status,
    )


@bp.route("/applications/<int:application_id>")
@login_required
def application(slug: str, application_id: int):
    _department, _cycle, review_round, cycles = load_round(slug)
    return _application_page(review_round, cycles, _application(review_round, application_id))[0]


@bp.route("/applications/<int:application_id>/assign", methods=["POST"])
@login_required
def assign_reviewer(slug: str, application_id: int):
    department, cycle, review_round, cycles = load_round(slug)
    application = _application(review_round, application_id)
    form = ManualAssignForm()
    reviewers = {r.id: r for r in assignment_services.round_reviewers(review_round)}
    form.reviewer.choices = [(0, "Choose a reviewer")] + [
        (i, r.full_name) for i, r in reviewers.items()
    ]
    if form.validate_on_submit():
        review_round = started(department, cycle)
        with refusal() as refused:
            reviewer = reviewers.get(form.reviewer.data)
            if reviewer is None:
                raise RuleViolation("Choose a reviewer from the list.", field="reviewer")
            assignment_services.assign_reviewer(
                review_round, application, reviewer, due_on=form.due_on.data, by=current_user
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"{reviewer.full_name} now reviews this application.", "success")
            return redirect(
                round_url("review_ranking.application", review_round, application_id=application.id)
            )
    return _application_page(review_round, cycles, application, status=400, assign_form=form)


@bp.route("/assignments/<int:assignment_id>/remove", methods=["POST"])
@login_required
def remove_assignment(slug: str, assignment_id: int):
    _department, _cycle, review_round, _cycles = load_round(slug)
    assignment = db.session.get(ReviewAssignment, assignment_id)
    if assignment is None or assignment.round_id != review_round.id:
        flash("That reviewer had already been taken off.", "info")
        return redirect(round_url("review_setup.overview", review_round))
    application_id = assignment.application_id
    name = assignment.reviewer.full_name
    with refusal() as refused:
        assignment_services.remove_assignment(assignment, by=current_user)
    if error := refused.error:
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(f"{name} no longer reviews this application.", "success")
    return redirect(
        round_url("review_ranking.application", review_round, application_id=application_id)
    )


@bp.route("/applications/<int:application_id>/discussion", methods=["POST"])
@login_required
def discuss(slug: str, application_id: int):
    department, cycle, review_round, cycles = load_round(slug)
    application = _application(review_round, application_id)
    form = DiscussionForm()
    if form.validate_on_submit():
        review_round = started(department, cycle)
        with refusal() as refused:
            review_services.post_to_discussion(
                review_round, ("application", application.id), body=form.body.data, by=current_user
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Message posted.", "success")
            url = round_url(
                "review_ranking.application", review_round, application_id=application.id
            )
            return redirect(url + "#discussion")
    return _application_page(review_round, cycles, application, status=400, discussion_form=form)
