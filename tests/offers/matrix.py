"""Who may reach the offer endpoints."""

from __future__ import annotations

from datetime import timedelta

from clerkship.allocation.engine import SeatType
from clerkship.allocation.models import Placement
from clerkship.applications.models import ApplicationState
from clerkship.core.time import utcnow
from clerkship.extensions import db
from clerkship.offers.models import Offer
from tests.factories import make_application
from tests.matrix import DEPARTMENT_MANAGERS, DEPARTMENT_STAFF, Rule


def _offer(w) -> int:
    """An offer to "student" of a block of the other department (built once per world).

    The student's application to this department is the applications matrix's draft.
    """
    if "offer" not in w.extra:
        application = make_application(
            w.users["student"],
            w.other_department,
            blocks=[w.other_block],
            state=ApplicationState.SUBMITTED,
        )
        placement = Placement(
            application=application, block=w.other_block, seat_type=SeatType.OPEN, in_pathway=False
        )
        w.other_block.open_taken += 1
        offer = Offer(
            placement=placement, application=application, expires_at=utcnow() + timedelta(days=7)
        )
        db.session.add_all([placement, offer])
        db.session.flush()
        w.extra["offer"] = offer.id
    return w.extra["offer"]


STUDENT = frozenset({"student"})

RULES = [
    Rule("offers.show", lambda w: f"/offers/{_offer(w)}", STUDENT),
    Rule("offers.accept", lambda w: f"/offers/{_offer(w)}/accept", STUDENT, method="POST"),
    Rule("offers.decline", lambda w: f"/offers/{_offer(w)}/decline", STUDENT),
    Rule("offers.decline", lambda w: f"/offers/{_offer(w)}/decline", STUDENT, method="POST"),
    Rule(
        "offers.department", lambda w: f"/departments/{w.department.slug}/offers/", DEPARTMENT_STAFF
    ),
    Rule(
        "offers.close_waitlist",
        lambda w: f"/departments/{w.department.slug}/offers/close-waitlist",
        DEPARTMENT_MANAGERS,
        method="POST",
    ),
]
