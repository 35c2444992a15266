"""Directors set up the season and days; directors and coordinators see rosters and export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.audit.models import AuditEvent
from clerkship.core.time import local_today, to_local
from clerkship.extensions import db
from clerkship.interviews.models import BookingMode, InterviewDay, InterviewSeason
from tests.conftest import login
from tests.factories import (
    make_booking,
    make_cycle,
    make_day,
    make_department,
    make_invitation,
    make_season,
    make_user,
)


def _base(setting) -> str:
    return f"/departments/emergency-medicine/interviews/{setting.season.cycle.slug}"


def _day_form(**changes) -> dict:
    on = local_today() + timedelta(days=30)
    form = {
        "held_on": on.isoformat(),
        "starts": "08:00",
        "ends": "12:30",
        "format": "in_person",
        "location": "LA General, Room 1011",
        "meeting_link": "",
        "capacity": "10",
    }
    form.update(changes)
    return form


def test_director_sets_up_a_season(client, app):
    department = make_department(name="Psychiatry", slug="psychiatry")
    cycle = make_cycle()
    director = make_user((Role.DIRECTOR, department))
    login(client, director)
    url = f"/departments/psychiatry/interviews/{cycle.slug}/settings"
    bad = client.post(
        url,
        data={
            "booking_mode": "fair_release",
            "ranking_hours": "0",
            "lock_hours": "48",
            "offer_hours": "24",
            "invite_states": ["offered", "accepted", "completed"],
        },
    )
    assert (
        "Enter a number of hours from 1 to 336."
        in bad.get_data(as_text=True).split('id="ranking_hours-error"')[1]
    )
    response = client.post(
        url,
        data={
            "booking_mode": "fair_release",
            "ranking_hours": "36",
            "lock_hours": "24",
            "offer_hours": "12",
            "invite_states": ["offered", "accepted", "completed"],
        },
    )
    assert response.status_code == 303
    season = db.session.scalar(select(InterviewSeason))
    assert (season.booking_mode, season.ranking_hours, season.lock_hours, season.offer_hours) == (
        BookingMode.FAIR_RELEASE,
        36,
        24,
        12,
    )


def test_booking_mode_is_fixed_once_invitations_went_out(client, setting):
    login(client, setting.director)
    response = client.post(
        _base(setting) + "/settings",
        data={
            "booking_mode": "fair_release",
            "ranking_hours": "48",
            "lock_hours": "48",
            "offer_hours": "24",
            "invite_states": ["offered", "accepted", "completed"],
            "version": str(setting.season.version),
        },
    )
    html = response.get_data(as_text=True)
    assert "The booking mode cannot change once invitations have gone out." in html
    db.session.refresh(setting.season)
    assert setting.season.booking_mode is BookingMode.FIRST_COME


def test_director_adds_a_day_in_local_time(client, setting):
    login(client, setting.director)
    response = client.post(_base(setting) + "/days/new", data=_day_form(reserved="y"))
    assert response.status_code == 303
    day = db.session.scalar(select(InterviewDay))
    start = to_local(day.starts_at)
    assert (start.date(), start.strftime("%H:%M"), to_local(day.ends_at).strftime("%H:%M")) == (
        local_today() + timedelta(days=30),
        "08:00",
        "12:30",
    )
    assert (day.capacity, day.reserved, day.taken) == (10, True, 0)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ends": "07:00"}, "ends", "The day must end after it starts."),
        ({"location": ""}, "location", "Enter where the interviews take place."),
        ({"format": "virtual"}, "meeting_link", "Enter the link of the virtual meeting."),
        (
            {"format": "virtual", "meeting_link": "javascript:alert(1)"},
            "meeting_link",
            "Enter a full link starting with https://.",
        ),
        ({"held_on": "2020-01-01"}, "held_on", "A new interview day must be in the future."),
        ({"held_on": "tomorrow"}, "held_on", "Enter the date as YYYY-MM-DD."),
        ({"starts": "8am"}, "starts", "Enter a time as HH:MM, e.g. 08:00."),
        ({"capacity": "501"}, "capacity", "Enter a number of seats from 0 to 500."),
    ],
)
def test_bad_day_input_is_explained_next_to_the_field(client, setting, changes, field, message):
    login(client, setting.director)
    data = _day_form(**changes)
    response = client.post(_base(setting) + "/days/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html.split(f'id="{field}-error"')[1].split("</div>")[0]
    assert 'value="LA General, Room 1011"' in html or data["location"] == ""
    assert db.session.scalar(select(InterviewDay.id)) is None


def _edit(client, setting, day, **changes):
    start, end = to_local(day.starts_at), to_local(day.ends_at)
    data = _day_form(
        held_on=start.date().isoformat(),
        starts=start.strftime("%H:%M"),
        ends=end.strftime("%H:%M"),
        capacity=str(day.capacity),
        version=str(day.version),
    )
    data.update(changes)
    return client.post(_base(setting) + f"/days/{day.id}/edit", data=data)


def test_capacity_cannot_drop_below_bookings(client, setting):
    day = make_day(setting.season, capacity=3)
    make_booking(setting.other, day)
    make_booking(setting.pathway, day)
    login(client, setting.director)
    html = _edit(client, setting, day, capacity="1").get_data(as_text=True)
    assert "the capacity cannot go below 2." in html.split('id="capacity-error"')[1]


def test_day_with_bookings_outside_pathway_cannot_become_reserved(client, setting):
    day = make_day(setting.season, capacity=3)
    make_booking(setting.other, day)
    login(client, setting.director)
    html = _edit(client, setting, day, reserved="y").get_data(as_text=True)
    assert (
        "1 booked invitee(s) and 0 on the waitlist are not in the UIM pathway"
        in html.split('id="reserved-error"')[1]
    )
    db.session.refresh(day)
    assert day.reserved is False


def test_stale_day_form_refused_and_input_kept(client, setting):
    day = make_day(setting.season, capacity=3)
    login(client, setting.director)
    stale = str(day.version)
    day.capacity = 4
    db.session.commit()
    html = _edit(client, setting, day, capacity="7", version=stale).get_data(as_text=True)
    assert "This record was changed by someone else after you opened it." in html
    assert 'value="7"' in html


def test_moving_a_booked_day_tells_the_booked_invitees(client, setting, mailbox):
    day = make_day(setting.season, capacity=3)
    make_booking(setting.other, day)
    login(client, setting.director)
    assert _edit(client, setting, day, starts="09:00", ends="13:00").status_code == 303
    assert mailbox.last_to(setting.other.email)["Subject"].startswith("Interview details changed")


def test_delete_day_with_bookings_refused_and_empty_day_deleted(client, setting):
    booked, empty = make_day(setting.season), make_day(setting.season, days_ahead=20)
    booked_id, empty_id = booked.id, empty.id
    make_booking(setting.other, booked)
    login(client, setting.director)
    refused = client.post(_base(setting) + f"/days/{booked_id}/delete", follow_redirects=True)
    assert "1 seat(s) on this day are booked or held" in refused.get_data(as_text=True)
    client.post(_base(setting) + f"/days/{empty_id}/delete")
    assert list(db.session.scalars(select(InterviewDay.id))) == [booked_id]
    again = client.post(_base(setting) + f"/days/{empty_id}/delete", follow_redirects=True)
    assert "That day had already been deleted." in again.get_data(as_text=True)


def test_roster_shows_fill_rate_waitlist_and_pathway_share(client, setting):
    from clerkship.interviews.waitlists.services import join_waitlist

    day = make_day(setting.season, capacity=4)
    make_booking(setting.other, day)
    make_booking(setting.pathway, day)
    make_booking(make_invitation(setting.season, pathway=True), day)
    make_booking(make_invitation(setting.season), day)
    waiting = make_invitation(setting.season, full_name="Waiting Person")
    join_waitlist(waiting, day.id, auto_book=True, by=waiting.student)
    coordinator = make_user((Role.COORDINATOR, setting.season.department))
    login(client, coordinator)
    html = client.get(_base(setting) + f"/days/{day.id}").get_data(as_text=True)
    assert "Booked: 4 of 4 (100% full)" in html
    assert "UIM pathway share: 2 of 4 (50%)" in html
    assert "Waiting Person" in html.split("Waitlist")[1]
    assert setting.other.full_name in html
    overview = client.get(_base(setting) + "/").get_data(as_text=True)
    row = overview.split(day.label)[1].split("</tr>")[0]
    assert (
        "<td>4 of 4</td>" in row
        and "<td>100%</td>" in row
        and "<td>1</td>" in row
        and "<td>50%</td>" in row
    )


def test_hidden_buttons_for_coordinators(client, setting):
    make_day(setting.season)
    coordinator = make_user((Role.COORDINATOR, setting.season.department))
    login(client, coordinator)
    html = client.get(_base(setting) + "/").get_data(as_text=True)
    assert "Add a day" not in html and ">Delete<" not in html and "Change the settings" not in html
    assert "schedule (CSV)" in html
    login(client, setting.director)
    html = client.get(_base(setting) + "/").get_data(as_text=True)
    assert "Add a day" in html and ">Delete<" in html and "Change the settings" in html


def test_season_overview_query_count_does_not_grow(client, setting, queries):
    login(client, setting.director)
    make_booking(setting.other, make_day(setting.season))
    client.get(_base(setting) + "/")
    with queries() as small:
        client.get(_base(setting) + "/")
    for n in range(8):
        day = make_day(setting.season, days_ahead=20 + n)
        for _ in range(3):
            make_booking(make_invitation(setting.season, pathway=n % 2 == 0), day)
    db.session.commit()
    with queries() as large:
        client.get(_base(setting) + "/")
    assert large.count == small.count


def test_schedule_exports_neutralise_formulas(client, setting):
    day = make_day(setting.season, capacity=4, location='=HYPERLINK("http://evil")')
    attacker = make_invitation(setting.season, full_name="@SUM(1+1)*cmd|' /C calc'!A0")
    plain = make_invitation(setting.season, full_name="-Dash Name")
    make_booking(attacker, day)
    make_booking(plain, day)
    make_day(setting.season, days_ahead=20)  # nobody booked: still listed
    login(client, setting.director)
    response = client.get(_base(setting) + "/schedule.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:8] == [
        "Date",
        "Start",
        "End",
        "Format",
        "Location or link",
        "Reserved for UIM pathway",
        "Seats",
        "Name",
    ]
    assert [r[7] for r in rows[1:]] == ["'-Dash Name", "'@SUM(1+1)*cmd|' /C calc'!A0", ""]
    assert {r[4] for r in rows[1:3]} == {'\'=HYPERLINK("http://evil")'}
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)

    xlsx = client.get(_base(setting) + "/schedule.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).active
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert [sheet.cell(row=r, column=8).value for r in (2, 3)] == [
        "'-Dash Name",
        "'@SUM(1+1)*cmd|' /C calc'!A0",
    ]
    assert sheet.cell(row=2, column=7).value == 4
    assert sheet.title == "Interview schedule" and sheet.freeze_panes == "A2"
    db.session.rollback()
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "interviews.schedule_exported")
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.actor_id, e.detail["format"]) for e in events] == [
        (setting.director.id, "csv"),
        (setting.director.id, "xlsx"),
    ]


def test_other_departments_director_cannot_see_the_season(client, setting):
    elsewhere = make_department(name="Pediatrics", slug="pediatrics")
    login(client, make_user((Role.DIRECTOR, elsewhere)))
    assert client.get(_base(setting) + "/").status_code == 403
    assert client.get(_base(setting) + "/schedule.csv").status_code == 403


def test_season_page_without_season_offers_set_up(client):
    department = make_department(name="Pediatrics", slug="pediatrics")
    cycle = make_cycle()
    make_season(make_department(), cycle)  # another department's season
    login(client, make_user((Role.DIRECTOR, department)))
    html = client.get(f"/departments/pediatrics/interviews/{cycle.slug}/").get_data(as_text=True)
    assert "There is no interview season for" in html
    assert "Set up the interview season" in html


def test_interview_links_shown_only_to_those_who_may_follow_them(client, setting):
    login(client, setting.other.student)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/interviews/"' in home
    assert "/departments/emergency-medicine/interviews/" not in home
    page = client.get(f"/interviews/{setting.other.id}").get_data(as_text=True)
    assert "/departments/" not in page
    login(client, setting.director)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/interviews/"' not in home
    department = client.get("/departments/emergency-medicine/").get_data(as_text=True)
    assert 'href="/departments/emergency-medicine/interviews/"' in department
    reviewer = make_user((Role.REVIEWER, setting.season.department))
    login(client, reviewer)
    assert client.get("/departments/emergency-medicine/interviews/").status_code == 403
