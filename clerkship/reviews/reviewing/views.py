"""Reviewers' pages: the queue, the scoring page with its documents and discussion, the profile."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from clerkship.applications.packets import packet_download
from clerkship.core.forms import attach_error
from clerkship.core.params import posted, query
from clerkship.core.permissions import get_or_403, login_required, require
from clerkship.core.time import local_today
from clerkship.core.transactions import commits_on_return, refusal
from clerkship.documents.services import record_download
from clerkship.documents.storage import send_document
from clerkship.extensions import db
from clerkship.reviews.forms import ConflictForm, DiscussionForm, SchoolsForm, WithdrawForm
from clerkship.reviews.models import Conflict, ReviewerProfile
from clerkship.reviews.permissions import can_review, can_see_peer_reviews, can_use_review_queue
from clerkship.reviews.records import ReviewAssignment
from clerkship.reviews.reviewing import services as review_services
from clerkship.reviews.reviewing.blinding import (
    documents_for_reviewers,
    packet_summary,
    reviewer_view,
)
from clerkship.reviews.reviewing.queries import NOT_STARTED, STATUS_LABELS, reviewer_queue
from clerkship.reviews.rounds import services
from clerkship.reviews.rubrics.forms import (
    read_levels,
    read_recommendation,
    review_form_class,
    review_form_data,
)
from clerkship.reviews.subjects import review_documents, subject_of

bp = Blueprint("reviews", __name__, url_prefix="/reviews")

NOT_YOURS = "This review is not assigned to you."
# The buttons of the review form: save a draft, submit, submit and open the next review.
REVIEW_ACTIONS = ("draft", "submit", "submit_next")
NO_QUEUE = "Only reviewers and the award committee have a review queue."


def _assignment(assignment_id) -> ReviewAssignment:
    return get_or_403(ReviewAssignment, assignment_id, can_review, NOT_YOURS)


@bp.route("/")
@login_required
def queue():
    require(can_use_review_queue(current_user), NO_QUEUE)
    status = query.choice("status", STATUS_LABELS)
    page = query.page()
    today = local_today()
    result = reviewer_queue(current_user, today=today, status=status, page=page)
    return render_template(
        "reviews/queue.html", queue=result, status=status, page=page, today=today
    )


def _same_subject(assignment: ReviewAssignment):
    if assignment.application_id is not None:
        return ReviewAssignment.application_id == assignment.application_id
    return ReviewAssignment.award_application_id == assignment.award_application_id


def _peers(assignment: ReviewAssignment) -> list[ReviewAssignment]:
    return list(
        db.session.scalars(
            select(ReviewAssignment)
            .where(
                ReviewAssignment.round_id == assignment.round_id,
                _same_subject(assignment),
                ReviewAssignment.id != assignment.id,
            )
            .order_by(ReviewAssignment.id)
        )
    )


def _render_review(assignment: ReviewAssignment, form, status: int = 200, **forms):
    subject = subject_of(assignment)
    review_round = assignment.round
    view = reviewer_view(subject, review_round, review_documents(subject))
    peers_visible = can_see_peer_reviews(current_user, assignment)
    peers = [p for p in _peers(assignment) if p.is_submitted] if peers_visible else []
    return (
        render_template(
            "reviews/review.html",
            assignment=assignment,
            review_round=review_round,
            rubric=review_services.rubric_for(assignment),
            view=view,
            decided=subject.decided,
            form=form,
            peers=peers,
            peers_visible=peers_visible,
            discussion=review_services.discussion_of(review_round, assignment.subject_key)
            if peers_visible
            else [],
            discussion_form=forms.get("discussion_form") or DiscussionForm(formdata=None),
            withdraw_form=forms.get("withdraw_form") or WithdrawForm(formdata=None),
        ),
        status,
    )


@bp.route("/assignments/<int:assignment_id>", methods=["GET", "POST"])
@login_required
def review(assignment_id: int):
    assignment = _assignment(assignment_id)
    rubric = review_services.rubric_for(assignment)
    if rubric is None:
        return _render_review(assignment, None)
    form_class = review_form_class(rubric)
    if request.method == "GET":
        return _render_review(assignment, form_class(data=review_form_data(assignment.review)))
    form = form_class()
    if form.validate_on_submit():
        action = posted.choice("action", REVIEW_ACTIONS, "draft")
        submit = action != "draft" or assignment.is_submitted
        was_submitted = assignment.is_submitted
        with refusal() as refused:
            review_services.save_review(
                assignment,
                levels=read_levels(form, rubric),
                recommendation=read_recommendation(form),
                comments=form.comments.data or "",
                version=form.version.number,
                submit=submit,
                by=current_user,
            )
        if error := refused.error:
            _attach_review_error(form, error)
        else:
            db.session.commit()
            if was_submitted:
                flash("Your changes are saved.", "success")
            elif submit:
                flash("Your review is submitted. You can now see the other reviews.", "success")
            else:
                flash("Draft saved. Submit it when it is complete.", "success")
            if action == "submit_next" and not was_submitted:
                return _next_review()
            return redirect(url_for("reviews.review", assignment_id=assignment.id))
    return _render_review(assignment, form, status=400)


def _attach_review_error(form, error) -> None:
    """A refusal next to its field; an incomplete review's next to every missing answer."""
    if isinstance(error, review_services.IncompleteReview):
        form.form_errors.append(error.message)
        for field, message in error.missing.items():
            form[field].errors = [*form[field].errors, message]
    else:
        attach_error(form, error)


def _next_review():
    """The reviewer's next review not started yet, or the queue when there is none."""
    nxt = reviewer_queue(
        current_user, today=local_today(), status=NOT_STARTED, per_page=1, open_only=True
    )
    if nxt.items:
        flash("Here is your next review.", "info")
        return redirect(url_for("reviews.review", assignment_id=nxt.items[0].assignment_id))
    flash("You have no other review to start.", "info")
    return redirect(url_for("reviews.queue"))


CONFLICT_ON_DECIDED = (
    "You declared a conflict and no longer review this application. This application is "
    "already decided; your declaration is recorded."
)


@bp.route("/assignments/<int:assignment_id>/withdraw", methods=["POST"])
@login_required
def withdraw(assignment_id: int):
    assignment = _assignment(assignment_id)
    form = WithdrawForm()
    rubric = review_services.rubric_for(assignment)
    if form.validate_on_submit():
        subject = subject_of(assignment)
        with refusal() as refused:
            review_services.declare_conflict_with(
                current_user,
                student_email=subject.student.email,
                reason=form.reason.data,
                by=current_user,
                assignment=assignment,
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(
                CONFLICT_ON_DECIDED
                if subject.decided
                else "You declared a conflict and no longer review this application; the "
                "directors will assign someone else.",
                "success",
            )
            return redirect(url_for("reviews.queue"))
    score_form = None
    if rubric is not None:
        score_form = review_form_class(rubric)(
            formdata=None, data=review_form_data(assignment.review)
        )
    return _render_review(assignment, score_form, status=400, withdraw_form=form)


@bp.route("/assignments/<int:assignment_id>/discussion", methods=["POST"])
@login_required
def discuss(assignment_id: int):
    assignment = _assignment(assignment_id)
    require(
        can_see_peer_reviews(current_user, assignment),
        "You join the discussion once you have submitted your own review.",
    )
    form = DiscussionForm()
    if form.validate_on_submit():
        with refusal() as refused:
            review_services.post_to_discussion(
                assignment.round, assignment.subject_key, body=form.body.data, by=current_user
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Message posted.", "success")
            return redirect(url_for("reviews.review", assignment_id=assignment.id) + "#discussion")
    rubric = review_services.rubric_for(assignment)
    score_form = review_form_class(rubric)(formdata=None, data=review_form_data(assignment.review))
    return _render_review(assignment, score_form, status=400, discussion_form=form)


@bp.route("/assignments/<int:assignment_id>/documents/<int:document_id>")
@login_required
@commits_on_return
def document(assignment_id: int, document_id: int):
    assignment = _assignment(assignment_id)
    listed = documents_for_reviewers(assignment.round, review_documents(subject_of(assignment)))
    item = next((d for d in listed if d.document.id == document_id), None)
    if item is None:
        abort(403, description="This document is not part of the application you review.")
    if item.withheld:
        abort(403, description=item.withheld)
    record_download(item.document, by=current_user, context=f"review assignment {assignment.id}")
    return send_document(item.document)


@bp.route("/assignments/<int:assignment_id>/packet.pdf")
@login_required
@commits_on_return
def packet(assignment_id: int):
    assignment = _assignment(assignment_id)
    subject = subject_of(assignment)
    view = reviewer_view(subject, assignment.round, review_documents(subject))
    summary = packet_summary(view, assignment.round)
    return packet_download(
        summary,
        [shown.document for shown in view.documents if not shown.withheld],
        student=subject.student,
        by=current_user,
        target=assignment,
        context=f"review, {assignment.round.phase.label.lower()}",
        name=(summary.title, "review packet"),
    )


def _profile_page(schools_form=None, conflict_form=None, status: int = 200):
    profile = db.session.get(ReviewerProfile, current_user.id)
    if schools_form is None:
        schools_form = SchoolsForm(
            formdata=None,
            schools=profile.schools if profile else "",
            version=str(profile.version) if profile else "",
        )
    conflicts = db.session.scalars(
        select(Conflict)
        .where(Conflict.reviewer_id == current_user.id)
        .order_by(Conflict.created_at)
    )
    return (
        render_template(
            "reviews/profile.html",
            schools_form=schools_form,
            conflict_form=conflict_form or ConflictForm(formdata=None),
            conflicts=list(conflicts),
        ),
        status,
    )


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    require(can_use_review_queue(current_user), NO_QUEUE)
    if request.method == "GET":
        return _profile_page()
    form = SchoolsForm()
    if form.validate_on_submit():
        with refusal() as refused:
            services.save_reviewer_profile(
                current_user,
                schools=form.schools.data or "",
                version=form.version.number,
                by=current_user,
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Your schools are saved.", "success")
            return redirect(url_for("reviews.profile"))
    return _profile_page(schools_form=form, status=400)


@bp.route("/profile/conflicts", methods=["POST"])
@login_required
def declare_conflict():
    require(can_use_review_queue(current_user), NO_QUEUE)
    form = ConflictForm()
    if form.validate_on_submit():
        with refusal() as refused:
            withdrawn = review_services.declare_conflict_with(
                current_user,
                student_email=form.student_email.data,
                reason=form.reason.data,
                by=current_user,
            )
        if error := refused.error:
            attach_error(form, error)
        else:
            db.session.commit()
            message = "Conflict recorded. You will not be assigned this applicant."
            if withdrawn:
                message += f" You were taken off {withdrawn} assignment(s) with them."
            flash(message, "success")
            return redirect(url_for("reviews.profile"))
    return _profile_page(conflict_form=form, status=400)


def _own_conflict(user, conflict: Conflict) -> bool:
    return conflict.reviewer_id == user.id


@bp.route("/profile/conflicts/<int:conflict_id>/delete", methods=["POST"])
@login_required
def withdraw_conflict(conflict_id: int):
    require(can_use_review_queue(current_user), NO_QUEUE)
    conflict = get_or_403(
        Conflict, conflict_id, _own_conflict, "This is not one of your conflicts."
    )
    services.withdraw_conflict(conflict, by=current_user)
    db.session.commit()
    flash("Conflict removed.", "success")
    return redirect(url_for("reviews.profile"))
