"""Who may read the outbox and send a failed message again."""

from __future__ import annotations

from clerkship.extensions import db
from clerkship.outbox.models import MessageState
from clerkship.outbox.services import queue_message
from tests.matrix import Rule

# Directors and coordinators read their departments' messages (the other department's
# director opens the list, which shows only theirs); administrators read everything.
READERS = frozenset({"director", "other_director", "coordinator", "admin"})
THIS_DEPARTMENT = frozenset({"director", "coordinator", "admin"})


def _message(w) -> int:
    """A failed message to "student" about this department (built once per world)."""
    if "outbox_message" not in w.extra:
        student = w.users["student"]
        message = queue_message(
            student.email,
            "Documents needed",
            "Please upload.",
            recipient=student,
            department=w.department,
        )
        message.state = MessageState.FAILED
        message.last_error = "550 5.1.1 No such user"
        db.session.flush()
        db.session.info.pop("clerkship_outbox_pending", None)
        w.extra["outbox_message"] = message.id
    return w.extra["outbox_message"]


RULES = [
    Rule("outbox_admin.index", lambda w: "/outbox/", READERS),
    Rule("outbox_admin.show", lambda w: f"/outbox/{_message(w)}", THIS_DEPARTMENT),
    Rule(
        "outbox_admin.retry",
        lambda w: f"/outbox/{_message(w)}/retry",
        THIS_DEPARTMENT,
        method="POST",
    ),
]
