"""The public catalogue lists departments, rotations, blocks, seats and the allocation rule."""

from __future__ import annotations

from datetime import timedelta

from clerkship.core.time import local_today
from tests.factories import make_block, make_cycle, make_department, make_rotation, make_site


def test_catalogue_lists_blocks_with_seats_and_reserved(client):
    cycle = make_cycle()
    department = make_department(name="Emergency Medicine", slug="emergency-medicine")
    rotation = make_rotation(
        department, make_site(name="LA General Medical Center"), title="EM Sub-Internship"
    )
    make_block(rotation, cycle, month=7, capacity=6, reserved=2)
    html = client.get("/catalogue").get_data(as_text=True)
    assert "Emergency Medicine" in html
    assert "EM Sub-Internship" in html
    assert "LA General Medical Center" in html
    row = html.split(f"Jul 1, {cycle.rotations_start_on.year}")[1].split("</tr>")[0]
    assert [cell.strip() for cell in row.split("<td>")[1:]] == ["6</td>", "2</td>"]
    assert "Open seats first, soft reserves." in " ".join(html.split())


def test_catalogue_hides_cycles_not_yet_open(client):
    make_cycle(catalogue_opens_on=local_today() + timedelta(days=3))
    assert "The catalogue is not open yet." in client.get("/catalogue").get_data(as_text=True)


def test_catalogue_hides_inactive_rotations(client):
    cycle = make_cycle()
    rotation = make_rotation(title="Retired elective", active=False)
    make_block(rotation, cycle)
    assert "Retired elective" not in client.get("/catalogue").get_data(as_text=True)


def test_catalogue_query_count_does_not_grow_with_blocks(client, queries):
    cycle = make_cycle()
    department = make_department()
    make_block(make_rotation(department), cycle)
    with queries() as small:
        client.get("/catalogue")
    for _ in range(3):
        other = make_department()
        for month in (7, 8, 9):
            make_block(make_rotation(other), cycle, month=month)
    with queries() as large:
        client.get("/catalogue")
    assert small.count == large.count > 0
