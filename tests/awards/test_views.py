"""The award's pages: the student applies, the committee decides and pays, the coordinator completes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from clerkship.accounts.models import Role
from clerkship.applications.models import ApplicationState
from clerkship.awards.models import AwardApplication, AwardSettings, AwardState
from clerkship.core.time import local_today
from clerkship.extensions import db
from clerkship.rotations import queries as rotation_queries
from tests.awards.helpers import ready_student, rotation_held
from tests.conftest import login
from tests.factories import (
    make_award_application,
    make_award_settings,
    make_cycle,
    make_department,
    make_rotation_application,
    make_rotation_record,
    make_student,
    make_user,
)


def _form(ready, **overrides) -> dict:
    data = {
        "application_id": str(ready.application.id),
        "essay": "My path to medicine runs through my community.",
        "financial_need": "",
        "attestations": list(ready.award.attestations),
        "version": str(ready.award.version),
        "action": "submit",
    }
    data.update(overrides)
    return data


def _reload(award: AwardApplication) -> AwardApplication:
    db.session.expire_all()
    return db.session.get(AwardApplication, award.id)


def test_award_page_without_settings_says_it_is_not_open(client):
    cycle = make_cycle()
    login(client, make_student())
    html = client.get(f"/awards/{cycle.slug}/").get_data(as_text=True)
    assert "The award is not open in this cycle yet." in html


def test_student_creates_a_draft_then_submits(client, mailbox):
    cycle = make_cycle()
    make_award_settings(cycle)
    ready = ready_student(cycle=cycle, settings=db.session.scalar(select(AwardSettings)))
    db.session.delete(ready.award)
    db.session.flush()
    login(client, ready.student)
    page = client.get(f"/awards/{cycle.slug}/").get_data(as_text=True)
    assert "Tell us why." in page and "cv-" in page
    data = _form(ready, action="save", version="")
    assert client.post(f"/awards/{cycle.slug}/", data=data).status_code == 302
    award = db.session.scalar(select(AwardApplication))
    assert (award.state, award.essay_words) == (AwardState.DRAFT, 8)
    response = client.post(
        f"/awards/{cycle.slug}/",
        data=_form(ready, version=str(award.version)),
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert (
        "Your award application is submitted. You are now in the UIM pathway. "
        f"{ready.department.name} considers you for the seats reserved for the UIM pathway."
    ) in html
    assert _reload(award).state is AwardState.SUBMITTED


def test_refused_submission_names_every_failure_and_keeps_the_text(client):
    ready = ready_student()
    ready.profile.accreditation = None
    login(client, ready.student)
    response = client.post(
        f"/awards/{ready.cycle.slug}/",
        data=_form(ready, essay="My typed essay.", attestations=["truthful"]),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Your award application was not submitted and nothing was saved." in html
    for name in (
        "Fourth-year student",
        "In good standing",
        "LCME or COCA school",
        "Core clerkships completed",
    ):
        assert name in html
    assert "My typed essay." in html
    assert _reload(ready.award).state is AwardState.DRAFT
    assert _reload(ready.award).essay == "I want to serve my community."


def test_over_long_essay_is_refused_next_to_the_field(client):
    ready = ready_student()
    ready.settings.essay_word_limit = 50
    login(client, ready.student)
    response = client.post(f"/awards/{ready.cycle.slug}/", data=_form(ready, essay="w " * 60))
    html = response.get_data(as_text=True)
    assert (
        '<div id="essay-error" class="invalid-feedback d-block"><span class="d-block">Your essay has 60 words; the limit is 50.</span></div>'
        in html
    )


def test_double_submission_is_refused_without_error(client):
    ready = ready_student()
    login(client, ready.student)
    data = _form(ready)
    assert client.post(f"/awards/{ready.cycle.slug}/", data=data).status_code == 302
    again = client.post(f"/awards/{ready.cycle.slug}/", data=data)
    assert again.status_code == 200
    assert _reload(ready.award).state is AwardState.SUBMITTED


def test_someone_elses_application_id_is_refused(client):
    ready = ready_student()
    stranger = make_rotation_application(make_student(), ready.cycle, make_department())
    login(client, ready.student)
    response = client.post(
        f"/awards/{ready.cycle.slug}/", data=_form(ready, application_id=str(stranger.id))
    )
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert _reload(ready.award).application_id == ready.application.id


def test_withdrawal_explains_the_pathway_consequence(client):
    ready = ready_student()
    ready.award.state = AwardState.SUBMITTED
    ready.application.in_pathway = True
    login(client, ready.student)
    db.session.commit()
    response = client.post(
        f"/awards/{ready.cycle.slug}/withdraw",
        data={"version": str(ready.award.version)},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert (
        f"Your award application is withdrawn. You are no longer in the UIM pathway for "
        f"{ready.department.name}. You can self-identify if you wish to stay in it."
    ) in html


def test_stale_withdrawal_is_refused(client):
    ready = ready_student()
    login(client, ready.student)
    response = client.post(
        f"/awards/{ready.cycle.slug}/withdraw", data={"version": "42"}, follow_redirects=True
    )
    assert "This award application changed after you opened it" in response.get_data(as_text=True)
    assert _reload(ready.award).state is AwardState.DRAFT


def test_committee_list_names_failed_rules_in_constant_queries(client, queries):
    ready = ready_student(full_name="Eligible Student")
    ready.award.state = AwardState.SUBMITTED
    broken = ready_student(cycle=ready.cycle, settings=ready.settings, full_name="Broken Student")
    broken.award.state = AwardState.SUBMITTED
    broken.profile.accreditation = None
    login(client, ready.committee)
    url = f"/awards/{ready.cycle.slug}/committee/"
    html = client.get(url).get_data(as_text=True)
    assert "Eligible Student" in html
    assert "Not eligible: LCME or COCA school" in html
    db.session.commit()
    with queries() as few:
        client.get(url)
    for _ in range(5):
        more = ready_student(cycle=ready.cycle, settings=ready.settings)
        more.award.state = AwardState.SUBMITTED
    db.session.commit()
    with queries() as many:
        client.get(url)
    assert few.count == many.count > 0


def _submitted(ready):
    ready.award.state = AwardState.SUBMITTED
    db.session.flush()
    return ready


def test_committee_awards_within_the_budget(client, mailbox):
    ready = _submitted(ready_student())
    login(client, ready.committee)
    page = client.get(f"/awards/applications/{ready.award.id}").get_data(as_text=True)
    assert 'value="2000.00"' in page
    response = client.post(
        f"/awards/applications/{ready.award.id}/decision",
        data={
            "decision": "awarded",
            "amount": "$2,000",
            "note": "",
            "version": str(ready.award.version),
        },
    )
    assert response.status_code == 302
    award = _reload(ready.award)
    assert (award.state, award.amount_cents) == (AwardState.AWARDED, 2000_00)
    assert db.session.get(AwardSettings, ready.settings.id).committed_cents == 2000_00


def test_overspending_award_is_refused_on_the_page_with_the_remaining_amount(client):
    ready = _submitted(ready_student())
    ready.settings.budget_cents = 1500_00
    login(client, ready.committee)
    response = client.post(
        f"/awards/applications/{ready.award.id}/decision",
        data={
            "decision": "awarded",
            "amount": "2000",
            "note": "",
            "version": str(ready.award.version),
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Awarding $2,000.00 would overspend the budget: $1,500.00 remains." in html
    assert 'value="2000"' in html
    assert _reload(ready.award).state is AwardState.SUBMITTED


def test_award_without_amount_is_refused(client):
    ready = _submitted(ready_student())
    login(client, ready.committee)
    response = client.post(
        f"/awards/applications/{ready.award.id}/decision",
        data={"decision": "awarded", "amount": "", "version": str(ready.award.version)},
    )
    assert "Enter the amount to award." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("two thousand", "Enter an amount in dollars, e.g. 2000 or 2,000.00."),
        ("20.005", "Enter an amount in dollars and at most two decimals of cents."),
        ("-5", "Enter an amount between $0 and $10,000,000."),
        ("NaN", "Enter an amount in dollars and at most two decimals of cents."),
    ],
)
def test_bad_amounts_get_a_message(client, amount, message):
    ready = _submitted(ready_student())
    login(client, ready.committee)
    response = client.post(
        f"/awards/applications/{ready.award.id}/decision",
        data={"decision": "awarded", "amount": amount, "version": str(ready.award.version)},
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_coordinator_completes_and_committee_records_payment(client, mailbox):
    ready = ready_student()
    rotation_held(ready)
    ready.award.state = AwardState.AWARDED
    ready.award.amount_cents = 2000_00
    ready.settings.committed_cents = 2000_00
    placement = rotation_queries.held_placement_of(ready.application)
    make_rotation_record(placement)
    coordinator = make_user((Role.COORDINATOR, ready.department))
    login(client, coordinator)
    listing = client.get(f"/departments/{ready.department.slug}/awards").get_data(as_text=True)
    assert ready.student.full_name in listing
    response = client.post(
        f"/departments/{ready.department.slug}/rotation-records/{placement.id}/completion",
        data={"completion-version": "1"},
    )
    assert response.status_code == 302
    award = _reload(ready.award)
    assert award.state is AwardState.ROTATION_COMPLETED
    login(client, ready.committee)
    bad = client.post(
        f"/awards/applications/{award.id}/payment",
        data={
            "paid_on": "not a date",
            "paid_amount": "2000",
            "reference": "",
            "version": str(award.version),
        },
    )
    bad_html = bad.get_data(as_text=True)
    assert "Enter the payment date as YYYY-MM-DD." in bad_html
    assert "Enter the payment reference." in bad_html
    good = client.post(
        f"/awards/applications/{award.id}/payment",
        data={
            "paid_on": local_today().isoformat(),
            "paid_amount": "2000.00",
            "reference": "AP-2027-0042",
            "version": str(award.version),
        },
    )
    assert good.status_code == 302
    award = _reload(award)
    assert (award.state, award.paid_cents, award.payment_reference) == (
        AwardState.PAID,
        2000_00,
        "AP-2027-0042",
    )
    budget = client.get(f"/awards/{ready.cycle.slug}/budget").get_data(as_text=True)
    assert "AP-2027-0042" in budget


def test_coordinator_of_another_department_cannot_complete(client):
    ready = ready_student()
    rotation_held(ready)
    placement = rotation_queries.held_placement_of(ready.application)
    make_rotation_record(placement)
    ready.award.state = AwardState.AWARDED
    ready.award.amount_cents = 2000_00
    ready.settings.committed_cents = 2000_00
    other = make_department()
    login(client, make_user((Role.COORDINATOR, other)))
    response = client.post(
        f"/departments/{ready.department.slug}/rotation-records/{placement.id}/completion",
        data={"completion-version": "1"},
    )
    assert response.status_code == 403
    assert _reload(ready.award).state is AwardState.AWARDED


def test_settings_form_saves_and_explains_a_bad_amount_line(client):
    cycle = make_cycle()
    login(client, make_user(Role.AWARD_COMMITTEE))
    url = f"/awards/{cycle.slug}/settings"
    page = client.get(url).get_data(as_text=True)
    assert "4 weeks: $2,000" in page
    data = {
        "budget": "$20,000",
        "deadline": cycle.application_deadline.isoformat(),
        "amounts": "4 weeks: $2,000\nabout two weeks",
        "rules": ["fourth_year", "step1_passed"],
        "essay_prompt": "Why here?",
        "essay_word_limit": "600",
        "version": "",
    }
    bad = client.post(url, data=data).get_data(as_text=True)
    assert "Line 2 (“about two weeks”): write it as “4 weeks: $2,000”." in bad
    assert db.session.scalar(select(func.count(AwardSettings.id))) == 0
    data["amounts"] = "4 weeks: $2,000\n2 weeks = 1000"
    assert client.post(url, data=data).status_code == 302
    settings = db.session.scalar(select(AwardSettings))
    assert (settings.budget_cents, settings.rules, settings.essay_word_limit) == (
        20000_00,
        ["fourth_year", "step1_passed"],
        600,
    )
    assert [(a.weeks, a.amount_cents) for a in settings.amounts] == [(4, 2000_00), (2, 1000_00)]
    stale = client.post(url, data=data).get_data(as_text=True)
    assert "The settings were changed by someone else after you opened them." in stale


def test_timing_is_set_per_department(client):
    cycle = make_cycle()
    department = make_department(slug="psychiatry")
    login(client, make_user(Role.ADMIN))
    response = client.post(
        "/awards/departments/psychiatry/timing",
        data={f"d{department.id}-award_timing": "after_acceptance", "cycle": cycle.slug},
    )
    assert response.headers["Location"] == f"/awards/{cycle.slug}/settings"
    db.session.expire_all()
    assert department.award_timing.value == "after_acceptance"


def test_cv_link_is_not_found_without_a_cv(client):
    ready = _submitted(ready_student())
    login(client, ready.committee)
    assert client.get(f"/awards/applications/{ready.award.id}/cv").status_code == 404


def test_cv_download_goes_through_the_documents_feature(client):
    from clerkship.documents import storage

    ready = _submitted(ready_student())
    login(client, ready.committee)
    from clerkship.documents.models import DocumentKind
    from clerkship.documents.queries import current_document

    document = current_document(ready.student, ready.cycle, DocumentKind.CV)
    ready.award.cv_document_id = document.id
    path = storage.document_path(document)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.4 test")
    response = client.get(f"/awards/applications/{ready.award.id}/cv")
    assert (response.status_code, response.data) == (200, b"%PDF-1.4 test")


def test_committee_draft_page_is_not_found(client):
    ready = ready_student()
    login(client, ready.committee)
    assert client.get(f"/awards/applications/{ready.award.id}").status_code == 404


def test_committee_offers_the_next_alternate_on_the_list(client):
    ready = ready_student(full_name="Next In Line")
    ready.award.state = AwardState.ALTERNATE
    ready.award.alternate_rank = 1
    login(client, ready.committee)
    html = client.get(f"/awards/{ready.cycle.slug}/committee/").get_data(as_text=True)
    assert " of the budget is still to be awarded. The next alternate is Next In Line (" in html
    assert " is not awarded." not in html
    offer = client.get(f"/awards/applications/{ready.award.id}?offer=1").get_data(as_text=True)
    assert '<dt class="col-sm-4">CV</dt><dd class="col-sm-8">No CV uploaded</dd>' in offer
    assert (
        '<input checked class="form-check-input" id="decision-0" name="decision" required '
        'type="radio" value="awarded">'
    ) in offer


def test_budget_page_shows_committed_paid_and_remaining(client):
    cycle = make_cycle()
    make_award_settings(cycle, budget=10000_00)
    for state, amount in ((AwardState.AWARDED, 2000_00), (AwardState.PAID, 1000_00)):
        make_award_application(make_rotation_application(cycle=cycle), state=state, amount=amount)
    login(client, make_user(Role.AWARD_COMMITTEE))
    html = client.get(f"/awards/{cycle.slug}/budget").get_data(as_text=True)
    flat = " ".join(html.split())
    assert 'Committed (awarded, not yet paid)</dt><dd class="col-sm-8">$2,000.00' in flat
    assert 'Paid</dt><dd class="col-sm-8">$1,000.00' in flat
    assert 'Remaining</dt><dd class="col-sm-8"><strong>$7,000.00</strong>' in flat


def test_discarding_a_draft_sends_no_email(client, mailbox):
    ready = ready_student()
    login(client, ready.student)
    db.session.commit()
    response = client.post(
        f"/awards/{ready.cycle.slug}/withdraw",
        data={"version": str(ready.award.version)},
        follow_redirects=True,
    )
    assert "Your draft is discarded." in response.get_data(as_text=True)
    assert _reload(ready.award).state is AwardState.WITHDRAWN
    assert mailbox.to(ready.student.email) == []


def test_zero_payment_is_refused_next_to_the_amount(client):
    ready = ready_student()
    ready.application.state = ApplicationState.COMPLETED
    ready.award.state = AwardState.ROTATION_COMPLETED
    ready.award.amount_cents = 2000_00
    ready.settings.committed_cents = 2000_00
    login(client, ready.committee)
    db.session.commit()
    response = client.post(
        f"/awards/applications/{ready.award.id}/payment",
        data={
            "paid_on": local_today().isoformat(),
            "paid_amount": "0",
            "reference": "R-1",
            "version": str(ready.award.version),
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert (
        '<div id="paid_amount-error" class="invalid-feedback d-block"><span class="d-block">Enter the amount paid, above $0.</span></div>'
        in html
    )
    assert _reload(ready.award).state is AwardState.ROTATION_COMPLETED
