"""The department's invitation list: filters in the URL, sorting, search, paging, and the bulk
reminder and withdrawal on a mixed selection."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from clerkship.core.rules import RuleViolation
from clerkship.core.time import utcnow
from clerkship.extensions import db
from clerkship.interviews.booking import services as booking
from clerkship.interviews.models import Booking, InvitationState, WaitlistEntry, WaitlistState
from clerkship.interviews.states import BookingState
from clerkship.outbox.models import OutboxMessage
from tests.conftest import login
from tests.factories import make_booking, make_day, make_invitation, make_student, make_user


@pytest.fixture
def app_config():
    return {"PAGE_SIZE": 3}


@pytest.fixture
def listed(client, setting):
    """Six invitees in every state, the director signed in."""
    season = setting.season
    people = {
        "awaiting": make_invitation(season, make_student(full_name="Ada Awaiting")),
        "expired": make_invitation(
            season,
            make_student(full_name="Eli Expired"),
            reply_by=utcnow() - timedelta(days=1),
        ),
        "booked": make_invitation(season, make_student(full_name="Bo Booked"), pathway=True),
        "declined": make_invitation(
            season, make_student(full_name="Dee Declined"), state=InvitationState.DECLINED
        ),
        "waiting": make_invitation(
            season, make_student(full_name="Wes Waiting"), state=InvitationState.ACCEPTED
        ),
    }
    day = make_day(season, capacity=1)
    make_booking(people["booked"], day)
    db.session.add(
        WaitlistEntry(
            day=day,
            invitation=people["waiting"],
            in_pathway=False,
            state=WaitlistState.WAITING,
        )
    )
    db.session.flush()
    login(client, setting.director)
    base = f"/departments/emergency-medicine/interviews/{season.cycle.slug}/invitations"
    return setting, people, day, base


def _names(html: str) -> list[str]:
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r"<tr>\s*(?:<td>.*?</td>)?\s*<td>([^<]+)</td><td>[^<]*@", body, flags=re.S)


def _all(client, url: str) -> list[str]:
    """The names on every page, leaving out the setting's own two invitees ("Person N")."""
    names, page = [], 1
    while found := _names(client.get(f"{url}&page={page}").get_data(as_text=True)):
        names, page = names + found, page + 1
    return [name for name in names if not name.startswith("Person ")]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("answer=awaiting", ["Ada Awaiting"]),
        ("answer=expired", ["Eli Expired"]),
        ("answer=accepted", ["Bo Booked", "Wes Waiting"]),
        ("answer=declined", ["Dee Declined"]),
        ("answer=unanswered", ["Ada Awaiting", "Eli Expired"]),
        ("booked=yes", ["Bo Booked"]),
        ("booked=no&answer=accepted", ["Wes Waiting"]),
        ("pathway=yes", ["Bo Booked"]),
        ("q=EXPIRED", ["Eli Expired"]),
    ],
)
def test_filters(client, listed, query, expected):
    *_, base = listed
    assert _all(client, f"{base}?{query}") == expected


def test_search_by_email_and_aamc_id(client, listed):
    _setting, people, _day, base = listed
    ada = people["awaiting"]
    assert _all(client, f"{base}?q={ada.email.split('@')[0]}") == ["Ada Awaiting"]
    assert _all(client, f"{base}?q={ada.aamc_id}") == ["Ada Awaiting"]
    assert _all(client, f"{base}?q=%25") == []


def test_sorting_both_ways_keeps_the_filter(client, listed):
    *_, base = listed
    names = _all(client, f"{base}?answer=accepted&sort=-name")
    assert names == ["Wes Waiting", "Bo Booked"]
    html = client.get(f"{base}?answer=accepted&sort=-name").get_data(as_text=True)
    assert 'aria-sort="descending"' in html
    assert "answer=accepted&amp;sort=name" in html
    by_status = _all(client, f"{base}?sort=status&q=e")
    assert by_status[:2] == ["Ada Awaiting", "Eli Expired"]
    assert by_status[-1] == "Dee Declined"


@pytest.mark.parametrize(
    ("query", "argument"),
    [("answer=maybe", "answer"), ("sort=evil", "sort"), ("booked=2", "booked"), ("page=0", "page")],
)
def test_bad_arguments_are_a_clear_400(client, listed, query, argument):
    *_, base = listed
    response = client.get(f"{base}?{query}")
    assert response.status_code == 400
    assert f"The query argument “{argument}” must be" in response.get_data(as_text=True)


def _selection(season, *invitations, scope=""):
    return {
        "selection_source": "invitations",
        "selection_scope": f"cycle={season.cycle.slug}" + (f"&{scope}" if scope else ""),
        "selected": [str(i.id) for i in invitations],
    }


def _sent(template: str) -> list[str]:
    return list(
        db.session.scalars(
            select(OutboxMessage.to_address)
            .where(OutboxMessage.template == template)
            .order_by(OutboxMessage.id)
        )
    )


def test_reminding_a_mixed_selection(client, listed):
    setting, people, _day, base = listed
    chosen = [people["awaiting"], people["expired"], people["booked"], people["declined"]]
    data = _selection(setting.season, *chosen)
    html = client.post(f"{base}/remind", data=data, follow_redirects=True).get_data(as_text=True)
    assert "Reminded 1 invitee to reply, one email each." in html
    assert "Eli Expired (the reply deadline has passed)" in html
    assert "Bo Booked (the invitation is accepted)" in html
    assert "Dee Declined (the invitation is declined)" in html
    assert _sent("interview_reply_reminder") == [people["awaiting"].email]
    again = client.post(f"{base}/remind", data=data, follow_redirects=True).get_data(as_text=True)
    assert "Ada Awaiting (reminded already today)" in again
    assert _sent("interview_reply_reminder") == [people["awaiting"].email]


def test_withdrawing_asks_first_then_does_what_the_rules_allow(client, listed):
    setting, people, day, base = listed
    chosen = [people["booked"], people["awaiting"], people["declined"]]
    data = _selection(setting.season, *chosen)
    confirm = client.post(f"{base}/withdraw", data=data).get_data(as_text=True)
    assert "Withdraw 3 invitations?" in confirm
    assert db.session.scalar(select(Booking.state).where(Booking.day_id == day.id)) == (
        BookingState.BOOKED
    )
    html = client.post(
        f"{base}/withdraw", data=data | {"confirmed": "1"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Withdrew 2 invitations; each invitee is told." in html
    assert "Dee Declined (the invitee declined it)" in html
    for key in ("booked", "awaiting"):
        db.session.refresh(people[key])
        assert people[key].state is InvitationState.WITHDRAWN
        assert people[key].status_label == "Withdrawn by the department"
    # The booked seat is cancelled and goes to the first in line.
    states = dict(
        db.session.execute(
            select(Booking.invitation_id, Booking.state).where(Booking.day_id == day.id)
        ).all()
    )
    assert states[people["booked"].id] is BookingState.CANCELLED
    waiting = db.session.scalar(
        select(WaitlistEntry).where(WaitlistEntry.invitation_id == people["waiting"].id)
    )
    db.session.refresh(waiting)
    assert waiting.state is WaitlistState.OFFERED
    assert sorted(_sent("interview_withdrawn")) == sorted(
        [people["booked"].email, people["awaiting"].email]
    )
    # The same form again withdraws nothing twice and sends nothing more.
    again = client.post(
        f"{base}/withdraw", data=data | {"confirmed": "1"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Nothing was done." in again and "Bo Booked (withdrawn already)" in again
    assert len(_sent("interview_withdrawn")) == 2
    # A withdrawn invitee can no longer book or decline, and their page says why.
    ada = people["awaiting"]
    with pytest.raises(RuleViolation, match="The department withdrew this invitation"):
        booking.decline_invitation(ada, by=ada.student)
    free = make_day(setting.season, days_ahead=30, capacity=3)
    with pytest.raises(RuleViolation, match="The department withdrew this invitation"):
        booking.book_day(ada, free.id, by=ada.student)
    db.session.rollback()
    login(client, ada.student)
    page = client.get(f"/interviews/{ada.id}").get_data(as_text=True)
    assert "Withdrawn by the department" in page and "withdrew this invitation" in page
    assert "Decline the invitation" not in page


def test_a_booking_on_a_day_under_way_is_not_withdrawn(client, listed):
    setting, _people, _day, base = listed
    started = make_day(setting.season, days_ahead=0, hour=0, hours=23, capacity=2)
    invitee = make_invitation(setting.season, make_student(full_name="Ongoing Oz"))
    make_booking(invitee, started)
    db.session.commit()
    data = _selection(setting.season, invitee) | {"confirmed": "1"}
    html = client.post(f"{base}/withdraw", data=data, follow_redirects=True).get_data(as_text=True)
    assert "Ongoing Oz (the interview on" in html and "has begun or taken place)" in html
    db.session.refresh(invitee)
    assert invitee.state is InvitationState.ACCEPTED


def test_coordinators_remind_but_do_not_withdraw(client, listed):
    setting, people, _day, base = listed
    from clerkship.accounts.models import Role

    login(client, make_user((Role.COORDINATOR, setting.season.department)))
    data = _selection(setting.season, people["awaiting"])
    assert client.post(f"{base}/remind", data=data).status_code == 303
    assert client.post(f"{base}/withdraw", data=data).status_code == 403
    html = client.get(base).get_data(as_text=True)
    assert ">Remind to reply</button>" in html and "Withdraw invitations" not in html


def test_query_count_does_not_grow(client, listed, queries):
    setting, _people, _day, base = listed
    urls = [base, f"{base}?answer=accepted&sort=-reply_by", f"{base}?q=a&booked=no&pathway=no"]
    few = {}
    for url in urls:
        with queries() as counted:
            assert client.get(url).status_code == 200
        few[url] = counted.count
    for n in range(10):
        make_invitation(setting.season, make_student(full_name=f"Extra {n}"), pathway=n % 2 == 0)
    db.session.commit()
    for url in urls:
        with queries() as counted:
            client.get(url)
        assert counted.count == few[url], url


def test_the_applications_list_withdraws_its_applicants_invitations(client, setting):
    from clerkship.applications.models import ApplicationState
    from tests.factories import make_application

    season = setting.season
    invited = make_application(
        make_student(full_name="Ivy Invited"),
        season.department,
        season.cycle,
        state=ApplicationState.SUBMITTED,
    )
    invitation = make_invitation(season, application=invited)
    make_application(
        make_student(full_name="Nat Never"),
        season.department,
        season.cycle,
        state=ApplicationState.SUBMITTED,
    )
    login(client, setting.director)
    applications = "/departments/emergency-medicine/applications/"
    html = client.get(f"{applications}?cycle={season.cycle.slug}").get_data(as_text=True)
    assert ">Withdraw interview invitations</button>" in html
    url = f"/departments/emergency-medicine/interviews/{season.cycle.slug}/invitations/withdraw"
    data = {
        "selection_source": "applications",
        "selection_scope": f"cycle={season.cycle.slug}&sort=name",
        "selection_all": "1",
    }
    confirm = client.post(url, data=data).get_data(as_text=True)
    assert "Withdraw 1 invitation?" in confirm
    assert "Never invited to interview, so left out: Nat Never." in confirm
    response = client.post(url, data=data | {"confirmed": "1"})
    assert response.status_code == 303
    assert response.headers["Location"].startswith(applications)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Withdrew 1 invitation; each invitee is told." in html
    assert "Nat Never (not invited to interview)" in html
    db.session.refresh(invitation)
    assert invitation.state is InvitationState.WITHDRAWN


def test_the_applications_list_offers_no_withdrawal_without_a_season(client, setting):
    from clerkship.accounts.models import Role
    from clerkship.applications.models import ApplicationState
    from tests.factories import make_application, make_cycle, make_department

    department = make_department(slug="psychiatry")
    cycle = make_cycle()
    make_application(make_student(), department, cycle, state=ApplicationState.SUBMITTED)
    login(client, make_user((Role.DIRECTOR, department)))
    html = client.get(f"/departments/psychiatry/applications/?cycle={cycle.slug}").get_data(
        as_text=True
    )
    assert "Remind of missing items" in html
    assert "Withdraw interview invitations" not in html
