"""An awardee left without an accepted placement: the award needs the committee's attention."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.applications.models import ApplicationState
from clerkship.applications.services import withdraw_application
from clerkship.audit.models import AuditEvent
from clerkship.awards import listing
from clerkship.awards.models import AwardState
from clerkship.awards.services import decisions
from clerkship.core.rules import RuleViolation
from clerkship.doctor.queries import all_violations
from clerkship.extensions import db
from clerkship.offers.models import OfferState
from tests.conftest import login
from tests.factories import (
    make_application,
    make_award_application,
    make_award_settings,
    make_block,
    make_placement,
    make_user,
)

S = ApplicationState


def _awardee(*, second_placement: bool = False):
    """An awardee with an accepted placement (and, if asked, one in another department)."""
    block = make_block()
    application = make_application(blocks=[block], state=S.ACCEPTED, in_pathway=True)
    make_placement(application, offer_state=OfferState.ACCEPTED)
    settings = make_award_settings(application.cycle)
    award = make_award_application(application, state=AwardState.AWARDED, amount=2000_00)
    if second_placement:
        other_block = make_block(cycle=application.cycle)
        other = make_application(
            application.student, blocks=[other_block], state=S.ACCEPTED, in_pathway=True
        )
        make_placement(other, offer_state=OfferState.ACCEPTED)
    return application, award, settings


def test_awardee_withdrawing_their_only_placement_needs_attention(app):
    application, award, settings = _awardee()
    withdraw_application(application, by=application.student, reason="Family reasons.")
    db.session.flush()
    assert award.state is AwardState.NEEDS_ATTENTION
    assert settings.committed_cents == 2000_00  # committed until the committee decides
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "award.needs_attention")
    )
    assert (event.target_id, event.detail["application_id"]) == (award.id, application.id)
    assert all_violations() == []


def test_awardee_keeping_another_accepted_placement_stays_awarded(app):
    application, award, _settings = _awardee(second_placement=True)
    withdraw_application(application, by=application.student, reason="")
    db.session.flush()
    assert award.state is AwardState.AWARDED
    assert (
        db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "award.needs_attention"))
        is None
    )


def test_committee_list_shows_awards_needing_attention_first(app):
    application, award, _settings = _awardee()
    earlier = make_award_application(
        make_application(cycle=application.cycle, state=S.SUBMITTED),
        state=AwardState.SUBMITTED,
        submitted_at=award.submitted_at - timedelta(days=1),
    )
    default = listing.AwardFilters()
    listed = db.session.scalars(listing.listed_awards(application.cycle, default, None)).all()
    assert listed == [earlier.id, award.id]
    withdraw_application(application, by=application.student, reason="")
    db.session.flush()
    listed = db.session.scalars(listing.listed_awards(application.cycle, default, None)).all()
    assert listed == [award.id, earlier.id]


@pytest.mark.parametrize(
    ("decision", "state", "committed"),
    [
        (AwardState.AWARDED, AwardState.AWARDED, 2000_00),
        (AwardState.NOT_AWARDED, AwardState.NOT_AWARDED, 0),
    ],
    ids=["confirmed", "rescinded"],
)
def test_committee_confirms_or_rescinds_only_with_a_reason(app, decision, state, committed):
    application, award, settings = _awardee()
    withdraw_application(application, by=application.student, reason="")
    db.session.flush()
    committee = make_user(Role.AWARD_COMMITTEE)
    amount = 2000_00 if decision is AwardState.AWARDED else None
    with pytest.raises(RuleViolation) as refused:
        decisions.decide_award(
            award,
            decision=decision,
            amount_cents=amount,
            note=" ",
            version=str(award.version),
            by=committee,
        )
    assert refused.value.field == "note"
    assert award.state is AwardState.NEEDS_ATTENTION
    decisions.decide_award(
        award,
        decision=decision,
        amount_cents=amount,
        note="She rotates with us in the spring instead.",
        version=str(award.version),
        by=committee,
    )
    assert (award.state, settings.committed_cents, award.decision_note) == (
        state,
        committed,
        "She rotates with us in the spring instead.",
    )
    # A confirmed award keeps the committee's reason as its audited override, so the
    # doctor does not report its rotation-less state; a rescinded one is not awarded.
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == f"award.{decision.value}")
    )
    confirmed = decision is AwardState.AWARDED
    assert event.detail.get("override_reason") == (
        "She rotates with us in the spring instead." if confirmed else None
    )
    assert all_violations() == []


def test_committee_pages_show_the_award_needing_attention_first(client):
    application, award, _settings = _awardee()
    other = make_award_application(
        make_application(cycle=application.cycle, state=S.SUBMITTED),
        state=AwardState.SUBMITTED,
        submitted_at=award.submitted_at - timedelta(days=1),
    )
    withdraw_application(application, by=application.student, reason="")
    committee = make_user(Role.AWARD_COMMITTEE)
    login(client, committee)
    listing = client.get(f"/awards/{application.cycle.slug}/committee/").get_data(as_text=True)
    assert "<strong>Needs attention</strong>" in listing
    first, second = (
        listing.index(f"/awards/applications/{award.id}"),
        listing.index(f"/awards/applications/{other.id}"),
    )
    assert first < second
    page = client.get(f"/awards/applications/{award.id}").get_data(as_text=True)
    assert (
        '<div class="alert alert-warning" id="needs-attention">The awardee no longer holds an '
        "accepted placement. Its $2,000.00 stays committed"
    ) in page


def test_student_is_told_the_award_is_kept_while_the_committee_reviews_it(client):
    application, _award, _settings = _awardee()
    withdraw_application(application, by=application.student, reason="")
    login(client, application.student)
    page = client.get(f"/awards/{application.cycle.slug}/").get_data(as_text=True)
    assert (
        "<p>Your award of $2,000.00 is kept for you while the committee reviews it: you no "
        "longer hold an accepted rotation. The committee will tell you its decision.</p>"
    ) in page
