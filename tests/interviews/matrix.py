"""Who may reach the interview endpoints: the invitee alone for theirs; department staff for the season."""

from __future__ import annotations

from tests import factories
from tests.matrix import DEPARTMENT_MANAGERS, DEPARTMENT_STAFF, STUDENTS, Rule
from tests.world import World

INVITEE = frozenset({"student"})


def _interviews(world: World) -> dict:
    """A season in department A with a day, the student's invitation and an open offer."""
    if "interviews" not in world.extra:
        from clerkship.interviews.models import WaitlistEntry, WaitlistState

        season = factories.make_season(world.department, world.cycle)
        day = factories.make_day(season, capacity=1)
        full = factories.make_day(season, days_ahead=20, capacity=1)
        invitation = factories.make_invitation(season, world.users["student"])
        factories.make_booking(factories.make_invitation(season), full)
        entry = WaitlistEntry(
            day=full, invitation=invitation, in_pathway=False, state=WaitlistState.WAITING
        )
        factories.db.session.add(entry)
        factories.db.session.flush()
        world.extra["interviews"] = {
            "season": season,
            "day": day,
            "full": full,
            "invitation": invitation,
            "entry": entry,
        }
    return world.extra["interviews"]


def _mine(world: World, tail: str = "") -> str:
    return f"/interviews/{_interviews(world)['invitation'].id}{tail}"


def _staff(world: World, tail: str = "") -> str:
    _interviews(world)
    return f"/departments/{world.department.slug}/interviews/{world.cycle.slug}{tail}"


def _day(world: World, tail: str = "") -> str:
    return _staff(world, f"/days/{_interviews(world)['day'].id}{tail}")


def _invitation_selection(world: World) -> dict:
    """The student's invitation, ticked on the season's invitation list."""
    return {
        "selection_source": "invitations",
        "selection_scope": f"cycle={world.cycle.slug}",
        "selected": str(_interviews(world)["invitation"].id),
    }


def _entry(world: World) -> int:
    return _interviews(world)["entry"].id


RULES = [
    Rule("interviews.index", lambda w: "/interviews/", STUDENTS),
    Rule("interviews.calendar", lambda w: "/interviews/calendar.ics", STUDENTS),
    Rule("interviews.show", lambda w: _mine(w), INVITEE),
    Rule(
        "interviews.book",
        lambda w: _mine(w, f"/days/{_interviews(w)['day'].id}/book"),
        INVITEE,
        method="POST",
    ),
    Rule("interviews.cancel", lambda w: _mine(w, "/cancel"), INVITEE, method="POST"),
    Rule(
        "interviews.join_waitlist",
        lambda w: _mine(w, f"/days/{_interviews(w)['full'].id}/waitlist"),
        INVITEE,
        method="POST",
    ),
    Rule(
        "interviews.leave_waitlist",
        lambda w: _mine(w, f"/waitlist/{_entry(w)}/leave"),
        INVITEE,
        method="POST",
    ),
    Rule(
        "interviews.accept_offer",
        lambda w: _mine(w, f"/offers/{_entry(w)}/accept"),
        INVITEE,
        method="POST",
    ),
    Rule(
        "interviews.decline_offer",
        lambda w: _mine(w, f"/offers/{_entry(w)}/decline"),
        INVITEE,
        method="POST",
    ),
    Rule("interviews.rank", lambda w: _mine(w, "/ranking"), INVITEE, method="POST"),
    Rule("interviews.decline", lambda w: _mine(w, "/decline"), INVITEE, method="POST"),
    Rule(
        "interview_staff.index",
        lambda w: f"/departments/{w.department.slug}/interviews/",
        DEPARTMENT_STAFF,
    ),
    Rule("interview_staff.season", lambda w: _staff(w, "/"), DEPARTMENT_STAFF),
    Rule("interview_staff.settings", lambda w: _staff(w, "/settings"), DEPARTMENT_MANAGERS),
    Rule(
        "interview_staff.settings",
        lambda w: _staff(w, "/settings"),
        DEPARTMENT_MANAGERS,
        method="POST",
    ),
    Rule("interview_staff.edit_day", lambda w: _staff(w, "/days/new"), DEPARTMENT_MANAGERS),
    Rule(
        "interview_staff.edit_day", lambda w: _day(w, "/edit"), DEPARTMENT_MANAGERS, method="POST"
    ),
    Rule(
        "interview_staff.delete_day",
        lambda w: _day(w, "/delete"),
        DEPARTMENT_MANAGERS,
        method="POST",
    ),
    Rule("interview_staff.day", lambda w: _day(w), DEPARTMENT_STAFF),
    Rule(
        "interview_invitations.invitations_list",
        lambda w: _staff(w, "/invitations"),
        DEPARTMENT_STAFF,
    ),
    Rule(
        "interview_invitations.remind_selected",
        lambda w: _staff(w, "/invitations/remind"),
        DEPARTMENT_STAFF,
        method="POST",
        data=_invitation_selection,
    ),
    Rule(
        "interview_invitations.withdraw_selected",
        lambda w: _staff(w, "/invitations/withdraw"),
        DEPARTMENT_MANAGERS,
        method="POST",
        data=_invitation_selection,
    ),
    Rule(
        "interview_invitations.invite",
        lambda w: _staff(w, "/invitations"),
        DEPARTMENT_MANAGERS,
        method="POST",
    ),
    Rule(
        "interview_invitations.import_list",
        lambda w: _staff(w, "/invitations/import"),
        DEPARTMENT_MANAGERS,
    ),
    Rule(
        "interview_invitations.import_list",
        lambda w: _staff(w, "/invitations/import"),
        DEPARTMENT_MANAGERS,
        method="POST",
    ),
    Rule(
        "interview_staff.run_draw", lambda w: _staff(w, "/draw"), DEPARTMENT_MANAGERS, method="POST"
    ),
    Rule("interview_exports.draw_record", lambda w: _staff(w, "/draw.json"), DEPARTMENT_STAFF),
    Rule("interview_exports.schedule_csv", lambda w: _staff(w, "/schedule.csv"), DEPARTMENT_STAFF),
    Rule(
        "interview_exports.schedule_xlsx", lambda w: _staff(w, "/schedule.xlsx"), DEPARTMENT_STAFF
    ),
    Rule("interview_exports.calendar", lambda w: _staff(w, "/calendar.ics"), DEPARTMENT_STAFF),
]
