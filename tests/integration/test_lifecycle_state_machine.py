"""The whole season as a state machine: random sequences of the real services, every
invariant of docs/invariants.md checked (the doctor's all_violations) after every step.

Each rule is one request as a view makes it: call one service, commit; a service that
refuses (RuleViolation) is rolled back, which is the guard working. Each example starts
from a small world built with tests/factories.py and empties every table at its end, so
examples are independent.

The suite runs a fixed, derandomized budget; `make soak` runs the same machine with
CLERKSHIP_SOAK_EXAMPLES examples, randomized, and prints any counterexample as a
replayable test (the failing steps, and a blob for @reproduce_failure).
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask import current_app
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from clerkship.accounts.models import Role
from clerkship.allocation import services as allocation
from clerkship.allocation.models import AllocationRun, RunState
from clerkship.applications.models import Application, ApplicationState
from clerkship.applications.services import (
    start_application,
    submit_application,
    withdraw_application,
)
from clerkship.applications.services.drafts import add_choice, save_statement
from clerkship.awards.eligibility import ALL_RULES, TRUTHFUL
from clerkship.awards.models import AwardApplication, AwardState
from clerkship.awards.services import (
    decline_award,
    save_award_draft,
    submit_award_application,
    withdraw_award_application,
)
from clerkship.awards.services.decisions import (
    decide_award,
    mark_under_review,
    record_payment,
)
from clerkship.core.rules import RuleViolation
from clerkship.core.time import local_today, utcnow
from clerkship.cycles.models import Block, Cycle, Department
from clerkship.doctor.queries import all_violations
from clerkship.extensions import db
from clerkship.interviews.booking.services import book_day, cancel_booking, decline_invitation
from clerkship.interviews.invitations.services import invite_applicants
from clerkship.interviews.models import BookingMode, InterviewSeason, Invitation
from clerkship.interviews.waitlists.services import join_waitlist
from clerkship.offers import services as offers
from clerkship.offers.models import Offer, OfferState
from clerkship.pathway import queries as pathway_queries
from clerkship.pathway.models import FlagDecision
from clerkship.pathway.services import decide_pathway_flag
from clerkship.rotations import queries as rotation_queries
from clerkship.rotations import services as rotations
from clerkship.rotations.models import RotationRecord, RotationState
from tests.conftest import empty_all_tables
from tests.factories import (
    make_award_settings,
    make_block,
    make_cv,
    make_cycle,
    make_day,
    make_department,
    make_profile,
    make_rotation,
    make_season,
    make_self_identification,
    make_student,
    make_user,
)

STUDENTS = 6
# What the steps did, service by service (printed by `make soak`, to see what is reached).
STEPS: Counter[str] = Counter()
SOAK_EXAMPLES = int(os.environ.get("CLERKSHIP_SOAK_EXAMPLES") or 0)

index = st.integers(min_value=0, max_value=STUDENTS - 1)
department_index = st.integers(min_value=0, max_value=1)
pick = st.integers(min_value=0, max_value=9)  # an index into whatever list is current


def _nth(rows: list, n: int):
    return rows[n % len(rows)] if rows else None


class Season(RuleBasedStateMachine):
    """One cycle, two departments, a few small blocks, six students and their staff."""

    def __init__(self) -> None:
        super().__init__()
        db.session.rollback()
        empty_all_tables()
        self.ready = False
        self.changed = True  # the world, once built, is checked before the first step

    # The world ----------------------------------------------------------------------

    @initialize(
        capacities=st.lists(
            st.tuples(st.integers(1, 3), st.integers(0, 2)), min_size=3, max_size=3
        ),
        self_identified=st.lists(st.booleans(), min_size=STUDENTS, max_size=STUDENTS),
        hard_reserves=st.booleans(),
        # Applications already submitted and scored when the steps begin, so that most
        # examples reach runs, offers, awards and payments within their steps.
        early=st.lists(
            st.tuples(index, department_index, st.integers(0, 500)), min_size=0, max_size=8
        ),
        # How far the season has gone when the steps begin: 0 applications only, 1 both
        # departments published, 2 every offer accepted and the award applied for.
        phase=st.integers(0, 2),
    )
    def world(self, capacities, self_identified, hard_reserves, early, phase) -> None:
        cycle = make_cycle()
        self.cycle_id = cycle.id
        departments = [
            make_department(required_documents="", letters_required=0, hard_reserves=hard_reserves)
            for _ in range(2)
        ]
        self.department_ids = [d.id for d in departments]
        # Department 0 gets two blocks, department 1 one.
        owners = [departments[0], departments[0], departments[1]]
        self.block_ids = []
        for month, (owner, (capacity, reserved)) in enumerate(zip(owners, capacities, strict=True)):
            block = make_block(
                make_rotation(owner),
                cycle,
                month=7 + month,
                capacity=capacity,
                reserved=min(reserved, capacity),
            )
            self.block_ids.append(block.id)
        self.director_ids = [make_user((Role.DIRECTOR, d)).id for d in departments]
        self.committee_id = make_user(Role.AWARD_COMMITTEE).id
        self.admin_id = make_user(Role.ADMIN).id
        make_award_settings(cycle, budget=5000_00)
        self.student_ids = []
        for identifies in self_identified:
            student = make_student()
            # Graduating the year after the rotations: a fourth-year student, as the award asks.
            make_profile(student, expected_graduation=date(cycle.rotations_end_on.year + 1, 5, 20))
            make_cv(student, cycle)
            if identifies:
                make_self_identification(student, cycle)
            self.student_ids.append(student.id)
        self.season_ids = []
        self.day_ids = []
        for department in departments:
            season = make_season(department, cycle, booking_mode=BookingMode.FIRST_COME)
            self.season_ids.append(season.id)
            self.day_ids.append(make_day(season, capacity=1, reserved=False).id)
            self.day_ids.append(make_day(season, days_ahead=15, capacity=1, reserved=True).id)
        # The composites a review round would give, as the allocation run takes them.
        self.scores: dict[int, Decimal] = {}
        db.session.commit()
        self.ready = True
        for student, department, score in early:
            self.apply(student, department, order=(0, 1, 2), ranked=2, submit=True)
            application = self.application_of(student, department)
            if application is not None:
                self.scores[application.id] = Decimal(score) / 100
        if phase >= 1:
            for department in range(len(self.department_ids)):
                self.allocate(department)
        if phase >= 2:
            for offer in self.offers(OfferState.PENDING):
                self.request(offers.accept_offer, offer, by=offer.application.student)
            for application in self.applications(ApplicationState.ACCEPTED):
                self.award_for(application)

    # Helpers ------------------------------------------------------------------------

    def request(self, service, *args, **kwargs):
        """One POST: the service, then commit; a refusal rolls back (the guard working)."""
        try:
            result = service(*args, **kwargs)
        except RuleViolation as refusal:
            db.session.rollback()
            STEPS[f"refused {service.__name__}: {str(refusal)[:60]}"] += 1
            return None
        db.session.commit()
        self.changed = True
        STEPS[f"done {service.__name__}"] += 1
        return result

    def user(self, user_id):
        from clerkship.accounts.models import User

        return db.session.get(User, user_id)

    @property
    def cycle(self) -> Cycle:
        return db.session.get(Cycle, self.cycle_id)

    def department(self, n: int) -> Department:
        return db.session.get(Department, self.department_ids[n])

    def director(self, department: Department):
        return self.user(self.director_ids[self.department_ids.index(department.id)])

    def applications(self, *states) -> list[Application]:
        query = select(Application).order_by(Application.id)
        if states:
            query = query.where(Application.state.in_(states))
        return list(db.session.scalars(query))

    def application_of(self, student: int, department: int) -> Application | None:
        return db.session.scalar(
            select(Application).where(
                Application.student_id == self.student_ids[student],
                Application.department_id == self.department_ids[department],
            )
        )

    def offers(self, state: OfferState) -> list[Offer]:
        return list(
            db.session.scalars(select(Offer).where(Offer.state == state).order_by(Offer.id))
        )

    def awards(self) -> list[AwardApplication]:
        return list(db.session.scalars(select(AwardApplication).order_by(AwardApplication.id)))

    def preview(self, department: Department) -> AllocationRun | None:
        return db.session.scalar(
            select(AllocationRun)
            .where(
                AllocationRun.department_id == department.id,
                AllocationRun.state == RunState.PREVIEW,
            )
            .order_by(AllocationRun.id.desc())
        )

    # Applications ---------------------------------------------------------------------

    @rule(
        student=index,
        department=department_index,
        order=st.permutations(range(3)),
        ranked=st.sampled_from([1, 2, 0]),
        submit=st.booleans(),
    )
    def apply(self, student, department, order, ranked, submit) -> None:
        """Start a draft, rank some of the department's blocks, write a statement, submit."""
        who = self.user(self.student_ids[student])
        started = self.request(
            start_application, who, self.cycle, self.department(department), by=who
        )
        if started is None:
            return
        application, _created = started
        own = [n for n in order if (n < 2) == (department == 0)]
        for n in own[:ranked]:
            block = db.session.get(Block, self.block_ids[n])
            self.request(add_choice, application, block, version=None, by=who)
        self.request(save_statement, application, "I want to learn.", version=None, by=who)
        if submit:
            self.request(submit_application, application, version=None, by=who)

    @rule(n=pick)
    def submit(self, n) -> None:
        application = _nth(self.applications(), n)
        if application is not None:
            self.request(submit_application, application, version=None, by=application.student)

    @rule(n=pick)
    def withdraw(self, n) -> None:
        application = _nth(self.applications(), n)
        if application is not None:
            self.request(
                withdraw_application, application, by=application.student, reason="Changed plans"
            )

    @rule(n=pick, score=st.integers(0, 500))
    def score(self, n, score) -> None:
        """A composite score, as the reviews' ranking hands it to the allocation run."""
        application = _nth(self.applications(), n)
        if application is not None:
            self.scores[application.id] = Decimal(score) / 100

    # Pathway ---------------------------------------------------------------------------

    @rule(n=pick, decision=st.sampled_from(FlagDecision))
    def decide_flag(self, n, decision) -> None:
        application = _nth(self.applications(), n)
        if application is None:
            return
        latest = pathway_queries.latest_decisions([application.id]).get(application.id)
        self.request(
            decide_pathway_flag,
            application,
            decision=decision,
            reason="The director checked the file.",
            version=str(latest.id if latest else 0),
            by=self.director(application.department),
        )

    # Allocation and offers --------------------------------------------------------------

    @rule(department=department_index)
    def start_run(self, department) -> None:
        department = self.department(department)
        self.request(
            allocation.start_run,
            department,
            self.cycle,
            scores=dict(self.scores),
            score_source="state machine",
            by=self.director(department),
        )

    @rule(department=department_index, n=pick, block=st.integers(-1, 2))
    def adjust_run(self, department, n, block) -> None:
        """Move one student of a preview to another block (or leave them unplaced)."""
        department = self.department(department)
        run = self.preview(department)
        application = _nth(self.applications(), n)
        if run is None or application is None:
            return
        target = None if block < 0 else db.session.get(Block, self.block_ids[block])
        self.request(
            allocation.move_student, run, application, target, by=self.director(department)
        )

    @rule(department=department_index, reason=st.sampled_from(["", "Season runs late."]))
    def publish(self, department, reason) -> None:
        """Publish the preview; before the release date only with the director's reason."""
        department = self.department(department)
        run = self.preview(department)
        if run is not None:
            self.request(
                allocation.publish_run, run, by=self.director(department), override_reason=reason
            )

    @rule(department=department_index)
    def allocate(self, department) -> None:
        """A run started and published at once (two requests), so more examples get offers."""
        self.start_run(department)
        self.publish(department, "The committee met early.")

    @rule(n=pick)
    def accept(self, n) -> None:
        offer = _nth(self.offers(OfferState.PENDING), n)
        if offer is not None:
            self.request(offers.accept_offer, offer, by=offer.application.student)

    @rule(n=pick)
    def decline(self, n) -> None:
        offer = _nth(self.offers(OfferState.PENDING), n)
        if offer is not None:
            self.request(offers.decline_offer, offer, by=offer.application.student)

    @rule(days=st.sampled_from([0, 3, 8, 30]))
    def expire(self, days) -> None:
        """The scheduler's expiry, days from now (offers last the department's offer_days)."""
        self.request(offers.expire_due_offers, now=utcnow() + timedelta(days=days))

    @rule(department=department_index)
    def close_waitlist(self, department) -> None:
        department = self.department(department)
        self.request(offers.close_waitlist, department, self.cycle, by=self.director(department))

    # Interviews -------------------------------------------------------------------------

    @rule(n=pick)
    def invite(self, n) -> None:
        application = _nth(self.applications(), n)
        if application is None:
            return
        season = db.session.scalar(
            select(InterviewSeason).where(
                InterviewSeason.department_id == application.department_id
            )
        )
        self.request(
            invite_applicants,
            season,
            [application],
            reply_by=utcnow() + timedelta(days=7),
            by=self.director(application.department),
        )

    def day_of(self, invitation: Invitation, day: int) -> int:
        """Day 0 (open) or 1 (reserved) of the invitation's season."""
        return self.day_ids[2 * self.season_ids.index(invitation.season_id) + day]

    def invitations(self) -> list[Invitation]:
        return list(db.session.scalars(select(Invitation).order_by(Invitation.id)))

    @rule(n=pick, day=st.integers(0, 1))
    def book(self, n, day) -> None:
        invitation = _nth(self.invitations(), n)
        if invitation is not None:
            self.request(book_day, invitation, self.day_of(invitation, day), by=invitation.student)

    @rule(n=pick, day=st.integers(0, 1), auto_book=st.booleans())
    def join_waitlist(self, n, day, auto_book) -> None:
        invitation = _nth(self.invitations(), n)
        if invitation is not None:
            self.request(
                join_waitlist,
                invitation,
                self.day_of(invitation, day),
                auto_book=auto_book,
                by=invitation.student,
            )

    @rule(n=pick)
    def cancel_booking(self, n) -> None:
        invitation = _nth(self.invitations(), n)
        if invitation is not None:
            self.request(cancel_booking, invitation, by=invitation.student)

    @rule(n=pick)
    def decline_interview(self, n) -> None:
        invitation = _nth(self.invitations(), n)
        if invitation is not None:
            self.request(decline_invitation, invitation, by=invitation.student)

    # The award --------------------------------------------------------------------------

    @rule(n=pick)
    def apply_for_award(self, n) -> None:
        application = _nth(self.applications(), n)
        if application is not None:
            self.award_for(application)

    def award_for(self, application: Application) -> None:
        """The student saves and submits an award application for this rotation."""
        student = application.student
        draft = self.request(
            save_award_draft,
            student,
            self.cycle,
            None,
            application_id=application.id,
            essay="I want to serve my community.",
            financial_need="",
            attestations=[r.value for r in ALL_RULES if r.spec.attestation] + [TRUTHFUL],
            version=None,
            by=student,
        )
        if draft is not None:
            self.request(submit_award_application, draft, today=local_today(), by=student)

    @rule(
        n=pick,
        decision=st.sampled_from(
            [
                AwardState.AWARDED,
                AwardState.ALTERNATE,
                AwardState.NOT_AWARDED,
                AwardState.UNDER_REVIEW,
            ]
        ),
        amount=st.sampled_from([1000_00, 2000_00, 4000_00]),
    )
    def decide_award(self, n, decision, amount) -> None:
        award = _nth(self.awards(), n)
        if award is None:
            return
        committee = self.user(self.committee_id)
        if decision is AwardState.UNDER_REVIEW:
            self.request(mark_under_review, award, version=str(award.version), by=committee)
            return
        self.request(
            decide_award,
            award,
            decision=decision,
            amount_cents=amount if decision is AwardState.AWARDED else None,
            note="Committee decision.",
            version=str(award.version),
            by=committee,
        )

    @rule(n=pick, action=st.sampled_from(["withdraw", "decline"]))
    def student_ends_award(self, n, action) -> None:
        award = _nth(self.awards(), n)
        if award is None:
            return
        service = withdraw_award_application if action == "withdraw" else decline_award
        self.request(service, award, version=str(award.version), by=award.student)

    def staff_or_admin(self, department: Department, admin: bool):
        """The director, or an administrator who overrides a timing guard with a reason."""
        if admin:
            return self.user(self.admin_id), "Completed early with the dean's approval."
        return self.director(department), ""

    def arrived(self) -> list[RotationRecord]:
        return list(
            db.session.scalars(
                select(RotationRecord)
                .where(RotationRecord.state == RotationState.ARRIVED)
                .order_by(RotationRecord.id)
            )
        )

    @rule(n=pick)
    def record_arrival(self, n) -> None:
        """The coordinator records that an accepted student arrived (today)."""
        application = _nth(self.applications(ApplicationState.ACCEPTED), n)
        placement = application and rotation_queries.held_placement_of(application)
        if placement is not None:
            self.request(
                rotations.record_arrival,
                placement,
                arrived_on=local_today(),
                by=self.director(application.department),
                today=local_today(),
            )

    @rule(n=pick, admin=st.booleans())
    def complete_rotation(self, n, admin) -> None:
        """The blocks end in the future: the director is refused, an administrator overrides.
        The one completion service completes the application and the award that funds it."""
        record = _nth(self.arrived(), n)
        if record is not None:
            by, reason = self.staff_or_admin(record.placement.application.department, admin)
            self.request(
                rotations.record_completion,
                record,
                by=by,
                today=local_today(),
                override_reason=reason,
            )

    @rule(n=pick)
    def end_rotation_early(self, n) -> None:
        """The director records an early end (today), which sends an award to the committee."""
        record = _nth(self.arrived(), n)
        if record is not None:
            self.request(
                rotations.record_early_end,
                record,
                ended_on=local_today(),
                reason="Family emergency.",
                by=self.director(record.placement.application.department),
                today=local_today(),
            )

    @rule(n=pick, extra=st.sampled_from([0, 500_00]), admin=st.booleans())
    def pay(self, n, extra, admin) -> None:
        """The committee pays after the block ends; an administrator may pay early, with a
        reason."""
        award = _nth(self.awards(), n)
        if award is not None:
            self.request(
                record_payment,
                award,
                paid_on=local_today(),
                amount_cents=(award.amount_cents or 0) + extra,
                reference="REF-1",
                version=str(award.version),
                today=local_today(),
                by=self.user(self.admin_id if admin else self.committee_id),
                override_reason="Paid early with the dean's approval." if admin else "",
            )

    # The invariants ---------------------------------------------------------------------

    @precondition(lambda self: self.ready)
    @invariant()
    def doctor_finds_nothing(self) -> None:
        # A step that committed nothing (refused, or nothing to act on) cannot break one.
        if not self.changed:
            return
        self.changed = False
        db.session.expire_all()
        violations = all_violations()
        assert not violations, "\n".join(str(v) for v in violations)

    def teardown(self) -> None:
        db.session.rollback()
        empty_all_tables()
        db.session.remove()


ON_POSTGRESQL = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")
# No explain phase: it reruns every step under coverage tracing, minutes on a database.
PHASES = (Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink)


def machine_settings() -> settings:
    if SOAK_EXAMPLES:
        return settings(
            max_examples=SOAK_EXAMPLES,
            stateful_step_count=50,
            deadline=None,
            derandomize=False,
            database=None,
            print_blob=True,
            phases=PHASES,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
    # 50 examples of up to 30 steps, many starting mid-season (the world's phase): measured
    # 43 s on SQLite and 73 s on PostgreSQL with three other suites running on the 2-core
    # machine (the budget is 60 s per database when quiet); `make soak` runs far more.
    # PostgreSQL's run takes the first 25 of the same derandomized examples (its steps cost
    # twice SQLite's; the invariants are the same, and SQLite's run covers the other 25).
    return settings(
        max_examples=25 if ON_POSTGRESQL else 50,
        stateful_step_count=30,
        deadline=None,
        derandomize=True,
        database=None,
        print_blob=True,
        phases=PHASES,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@pytest.mark.slow
def test_season_lifecycle_keeps_every_invariant(app):
    # Emails are rendered (the templates run) but logged rather than sent over SMTP.
    current_app.config["MAIL_SERVER"] = ""
    STEPS.clear()
    try:
        run_state_machine_as_test(Season, settings=machine_settings())
    finally:
        if SOAK_EXAMPLES or os.environ.get("CLERKSHIP_SOAK_STATS"):
            for step, count in sorted(STEPS.items()):
                print(f"{count:6d}  {step}")
