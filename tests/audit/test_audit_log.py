"""Services write audit events; administrators read and filter them."""

from __future__ import annotations

from clerkship.accounts.models import Role
from clerkship.audit.services import record_event
from tests.conftest import login
from tests.factories import make_user


def test_admin_filters_audit_log_by_action_and_person(client):
    admin = make_user(Role.ADMIN, full_name="Alex Admin")
    mei = make_user(Role.STUDENT, full_name="Mei Chen")
    luis = make_user(Role.STUDENT, full_name="Luis Hernández")
    record_event("account.login", by=mei, target=mei, subject=mei)
    record_event("account.login", by=luis, target=luis, subject=luis)
    record_event("block.create", by=admin, summary="Created a block")
    login(client, admin)
    html = client.get("/admin/audit/?action=account.login&person=mei").get_data(as_text=True)
    rows = html.split("<tbody>")[1].split("</tbody>")[0].count("<tr>")
    assert rows == 1
    assert "Mei Chen" in html
    assert "Luis Hernández" not in html.split("<tbody>")[1]


def test_audit_event_records_ip_address_of_request(app, client):
    admin = make_user(Role.ADMIN)
    login(client, admin)
    client.post(
        "/admin/sites/new",
        data={"name": "Keck", "short_name": "", "address": ""},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    html = client.get("/admin/audit/?action=site.create").get_data(as_text=True)
    assert "10.1.2.3" in html


def test_audit_filter_with_end_before_start_is_explained(client):
    login(client, make_user(Role.ADMIN))
    html = client.get("/admin/audit/?since=2027-02-01&until=2027-01-01").get_data(as_text=True)
    assert "The end date must not be before the start date." in html


def test_audit_details_read_as_words_not_json(client):
    admin = make_user(Role.ADMIN)
    record_event(
        "cycle.update",
        by=admin,
        summary="Changed a cycle",
        name=[None, "2027–2028"],
        hard_reserves=[False, True],
        refusals=["Offers go out early."],
        short={},
    )
    login(client, admin)
    html = client.get("/admin/audit/?action=cycle.update").get_data(as_text=True)
    assert (
        '<span class="small">name: —, 2027–2028; hard reserves: no, yes; '
        "refusals: Offers go out early.; short: —</span>"
    ) in html
    assert "\\u2013" not in html and "null" not in html
    assert "<td>Cycle: update</td>" in html
    assert '<option selected value="cycle.update">Cycle: update</option>' in html
