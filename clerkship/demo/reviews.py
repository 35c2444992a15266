"""Demo step of the reviews: rubrics, an automatic assignment, draft and submitted reviews.

Emergency Medicine gets a five-criterion rubric and two extra reviewers: one lenient
and one strict, each with enough submitted reviews to be calibrated, so the calibrated
ranking visibly differs from the raw one. The award gets its own rubric.

The step reviews the department's submitted applications, first adding applications
from demo students who have not applied to the department, up to APPLICANTS. The
earliest one is left unreviewed, so the department keeps one plainly "submitted".
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import insert, select

from clerkship.accounts.models import Role, User
from clerkship.applications.models import (
    Accreditation,
    Application,
    ApplicationChoice,
    ApplicationEvent,
    ApplicationState,
    StudentProfile,
)
from clerkship.applications.services import transition
from clerkship.audit.models import AuditEvent
from clerkship.core.time import local_today, utcnow
from clerkship.demo import data
from clerkship.extensions import db
from clerkship.reviews.assignment.services import assign_automatically, mark_scored
from clerkship.reviews.models import Rubric
from clerkship.reviews.ranking import composites
from clerkship.reviews.ranking.scoring import score_review
from clerkship.reviews.records import (
    Recommendation,
    Review,
    ReviewAssignment,
    ReviewScore,
    ReviewState,
)
from clerkship.reviews.reviewing.services import pure_rubric
from clerkship.reviews.rounds.services import ensure_round, save_reviewer_profile
from clerkship.reviews.rubrics.services import CriterionInput, save_rubric

if TYPE_CHECKING:
    from clerkship.demo.seed import DemoContext

DEPARTMENT = "emergency-medicine"
APPLICANTS = 24
# (email, name, how far above or below the truth they score)
EXTRA_REVIEWERS = [
    ("em.reviewer.lenient@keck.example.edu", "Dr. Hannah Bright", 0.8),
    ("em.reviewer.strict@keck.example.edu", "Dr. Martin Stern", -0.8),
]

EM_RUBRIC = [
    (
        "Clinical reasoning",
        3,
        "Evaluations, letters and the statement on patient care.",
        False,
        (
            "Concerns about basic clinical judgement are documented.",
            "Reasoning is adequate with close supervision.",
            "Reasons through common presentations independently.",
            "Handles undifferentiated patients with sound prioritisation.",
            "Consistently described as functioning at the level of an intern.",
        ),
    ),
    (
        "Communication",
        2,
        "With patients, families and the team.",
        False,
        (
            "Communication problems are noted in evaluations.",
            "Clear with prompting; handoffs need correction.",
            "Clear and respectful with patients and the team.",
            "Adapts explanations to each patient; concise handoffs.",
            "Praised for communication in difficult conversations.",
        ),
    ),
    (
        "Professionalism",
        2,
        "Reliability, accountability, response to feedback.",
        False,
        (
            "A professionalism concern is documented.",
            "Occasional lapses in reliability.",
            "Reliable and accountable.",
            "Seeks feedback and acts on it visibly.",
            "A role model for peers, as letters attest.",
        ),
    ),
    (
        "Commitment to emergency medicine",
        1,
        "Experience and reflection on the specialty.",
        True,
        (
            "No exposure to emergency medicine.",
            "Limited exposure, little reflection.",
            "Some exposure with thoughtful reflection.",
            "Sustained involvement (rotations, research or service).",
            "Leadership in emergency medicine activities.",
        ),
    ),
    (
        "Service to underserved communities",
        2,
        "Work with populations lacking access to care.",
        True,
        (
            "No evidence of service.",
            "Occasional volunteering.",
            "Regular service over a year or more.",
            "Sustained service with a role in organising it.",
            "Founded or led a lasting service effort.",
        ),
    ),
]

AWARD_RUBRIC = [
    ("Commitment to diversity in medicine", 2, "", False),
    ("Academic preparation", 1, "", False),
    ("Financial need for the visiting rotation", 1, "", True),
]


def seed_reviews(ctx: DemoContext) -> None:
    """Rubrics for Emergency Medicine and the award, assignments, and a mix of reviews."""
    department = ctx.departments.get(DEPARTMENT)
    director = ctx.staff.get((Role.DIRECTOR, DEPARTMENT))
    if department is None or director is None or ctx.cycle is None:
        return
    reviewers = _reviewers(ctx, department)
    applications = _applications(ctx, department)
    review_round = ensure_round(department, ctx.cycle, by=director)
    review_round.due_on = local_today() + timedelta(days=14)
    rubric = save_rubric(
        review_round,
        title="Emergency Medicine visiting student rubric",
        scale_low=1,
        scale_high=5,
        criteria=[
            CriterionInput(
                name=name,
                weight=Decimal(weight),
                guidance=guidance,
                allows_insufficient=insufficient,
                descriptions={level: text for level, text in enumerate(levels, start=1)},
                index=i,
            )
            for i, (name, weight, guidance, insufficient, levels) in enumerate(EM_RUBRIC)
        ],
        based_on=None,
        by=director,
    )
    # The department's usual reviewer trained at a school some applicants come from: a
    # conflict the automatic assignment respects.
    usual = ctx.staff[(Role.REVIEWER, DEPARTMENT)]
    save_reviewer_profile(
        usual, schools="Howard University College of Medicine", version=None, by=usual
    )
    assign_automatically(review_round, due_on=None, by=director)
    _write_reviews(ctx, review_round, rubric, applications, reviewers)
    _award_rubric(ctx)


def _reviewers(ctx: DemoContext, department) -> dict[int, float]:
    from clerkship.demo.seed import _person  # seed imports this module

    bias = {
        ctx.staff[(Role.DIRECTOR, DEPARTMENT)].id: 0.0,
        ctx.staff[(Role.REVIEWER, DEPARTMENT)].id: 0.0,
    }
    for email, name, lean in EXTRA_REVIEWERS:
        user = _person(ctx, email, name, (Role.REVIEWER, department))
        db.session.flush()
        ctx.staff[(Role.REVIEWER, email)] = user
        bias[user.id] = lean
    return bias


def _applications(ctx: DemoContext, department) -> list[Application]:
    existing = list(
        db.session.scalars(
            select(Application)
            .where(
                Application.department_id == department.id,
                Application.cycle_id == ctx.cycle.id,
                Application.state == ApplicationState.SUBMITTED,
            )
            .order_by(Application.id)
        )
    )
    made = []
    blocks = ctx.blocks.get(DEPARTMENT, [])
    applied = set(
        db.session.scalars(
            select(Application.student_id).where(
                Application.department_id == department.id, Application.cycle_id == ctx.cycle.id
            )
        )
    )
    named = [
        s for s in ctx.students if not s.email.startswith("synthetic.") and s.id not in applied
    ]
    for index, student in enumerate(named[: max(0, APPLICANTS - len(existing))]):
        if (
            db.session.scalar(select(StudentProfile.id).where(StudentProfile.user_id == student.id))
            is None
        ):
            school, accreditation = data.MEDICAL_SCHOOLS[index % len(data.MEDICAL_SCHOOLS)]
            first, _, last = student.full_name.rpartition(" ")
            db.session.add(
                StudentProfile(
                    user_id=student.id,
                    legal_first_name=first,
                    legal_last_name=last,
                    pronouns=("she/her", "he/him", "they/them")[index % 3],
                    medical_school=school,
                    accreditation=Accreditation(accreditation),
                    usmle_step2_ck_score=230 + (index * 7) % 40,
                )
            )
        application = Application(
            student=student,
            cycle=ctx.cycle,
            department=department,
            state=ApplicationState.SUBMITTED,
            submitted_at=utcnow(),
            in_pathway=index % 3 == 0,
            personal_statement=(
                f"I want to train in emergency medicine because of my work in "
                f"{('a free clinic', 'a rural hospital', 'street medicine', 'EMS')[index % 4]}."
            ),
        )
        for rank, block in enumerate(blocks[index % 3 : index % 3 + 3], start=1):
            application.choices.append(ApplicationChoice(block=block, rank=rank))
        db.session.add(application)
        made.append(application)
    db.session.flush()
    return existing + made


def _write_reviews(ctx, review_round, rubric: Rubric, applications, bias: dict[int, float]):
    # Each applicant's true strength, spread over the scale, in a replayable order.
    truth = {a.id: 1.8 + 2.8 * ctx.rng.random() for a in applications}
    usual = ctx.staff[(Role.REVIEWER, DEPARTMENT)].id
    assignments = db.session.scalars(
        select(ReviewAssignment)
        .where(ReviewAssignment.round_id == review_round.id)
        .order_by(ReviewAssignment.id)
    ).all()
    left_undone = 0
    started: set[int] = set()
    # The --scale applications' reviews are written in bulk (`_BulkReviews`).
    bulk = _BulkReviews(ctx, rubric) if ctx.scale else None
    # The earliest application arrived after the reviewers' last session: assigned, not yet
    # reviewed, so it is still plainly "submitted".
    late = min(truth, default=None)
    for assignment in assignments:
        if assignment.application_id not in truth or assignment.application_id == late:
            continue
        # The usual reviewer is behind: two drafts and one not started.
        if assignment.reviewer_id == usual and left_undone < 3:
            left_undone += 1
            if left_undone == 3:
                continue
            _review(ctx, assignment, rubric, truth, bias, submitted=False)
            continue
        if bulk is not None and assignment.application_id in bulk.applications:
            bulk.add(assignment, _levels(ctx, assignment, rubric, truth, bias))
            continue
        _review(ctx, assignment, rubric, truth, bias, submitted=True)
        if assignment.application_id not in started:
            started.add(assignment.application_id)
            transition(assignment.application, ApplicationState.UNDER_REVIEW, by=None, notify=False)
    db.session.flush()
    if bulk is not None:
        bulk.write()
    mark_scored([assignment.application_id for assignment in assignments])
    # The reviews were written directly: store the composites the ranking reads.
    composites.refresh(review_round)


def _levels(ctx, assignment, rubric: Rubric, truth, bias) -> dict[int, int]:
    """The level the assignment's reviewer gives on each criterion: truth, lean and noise."""
    lean = bias.get(assignment.reviewer_id, 0.0)
    levels = {}
    for criterion in rubric.criteria:
        value = truth[assignment.application_id] + lean + ctx.rng.uniform(-0.45, 0.45)
        levels[criterion.id] = min(rubric.scale_high, max(rubric.scale_low, round(value)))
    return levels


def _comments(rubric: Rubric, levels: dict[int, int]) -> str:
    return "Strong clinical evaluations." if levels[rubric.criteria[0].id] >= 4 else ""


def _recommendation(levels: dict[int, int]) -> Recommendation:
    return (
        Recommendation.STRONGLY_RECOMMEND,
        Recommendation.RECOMMEND,
        Recommendation.WITH_RESERVATIONS,
        Recommendation.DO_NOT_RECOMMEND,
    )[max(0, min(3, 5 - sum(levels.values()) // len(levels)))]


def _review(ctx, assignment, rubric: Rubric, truth, bias, *, submitted: bool) -> None:
    levels = _levels(ctx, assignment, rubric, truth, bias)
    review = Review(
        assignment=assignment,
        rubric=rubric,
        state=ReviewState.SUBMITTED if submitted else ReviewState.DRAFT,
        comments=_comments(rubric, levels),
    )
    for criterion_id, level in levels.items():
        review.scores.append(ReviewScore(criterion_id=criterion_id, level=level))
    if submitted:
        review.recommendation = _recommendation(levels)
        review.submitted_at = utcnow()
        review.submitted_phase = assignment.round.phase
        review.composite = score_review(pure_rubric(rubric), {str(k): v for k, v in levels.items()})
        assignment.submitted_at = review.submitted_at
    db.session.add(review)


class _BulkReviews:
    """The --scale applications' submitted reviews, written as rows in a few statements.

    The fast path of `flask demo seed --scale` (README, "Benchmarks"): the same rows the
    loop above writes through the ORM (a submitted review with its scores and composite;
    the application moved from submitted to under review with its timeline event and its
    audit event, as `transition` writes them), without building an object per row. The
    seed ends with `flask doctor`'s checks, which read these rows like any others.
    """

    def __init__(self, ctx, rubric: Rubric) -> None:
        self.rubric, self.pure = rubric, pure_rubric(rubric)
        self.department = ctx.departments[DEPARTMENT]
        self.now = utcnow()
        self.applications = dict(
            db.session.execute(
                select(Application.id, Application.student_id)
                .join(User, User.id == Application.student_id)
                .where(
                    Application.department_id == self.department.id,
                    Application.cycle_id == ctx.cycle.id,
                    User.email.like("synthetic.%"),
                )
            ).all()
        )
        self.reviews: list[dict] = []
        self.levels: dict[int, dict[int, int]] = {}  # by assignment id
        self.started: list[int] = []  # application ids, in order
        self.started_set: set[int] = set()

    def add(self, assignment, levels: dict[int, int]) -> None:
        """A submitted review of the assignment with these levels."""
        self.reviews.append(
            {
                "assignment_id": assignment.id,
                "rubric_id": self.rubric.id,
                "state": ReviewState.SUBMITTED,
                "comments": _comments(self.rubric, levels),
                "recommendation": _recommendation(levels),
                "submitted_at": self.now,
                "submitted_phase": assignment.round.phase,
                "composite": score_review(self.pure, {str(k): v for k, v in levels.items()}),
            }
        )
        self.levels[assignment.id] = levels
        if assignment.application_id not in self.started_set:
            self.started_set.add(assignment.application_id)
            self.started.append(assignment.application_id)

    def write(self) -> None:
        """Insert the reviews and their scores, and move their applications under review."""
        if not self.reviews:
            return
        db.session.execute(insert(Review), self.reviews)
        assignments = ReviewAssignment.__table__
        for chunk in _chunks(list(self.levels)):
            db.session.execute(
                assignments.update()
                .where(assignments.c.id.in_(chunk))
                .values(submitted_at=self.now)
            )
        review_ids = db.session.execute(
            select(Review.assignment_id, Review.id).where(
                Review.rubric_id == self.rubric.id,
                Review.assignment_id.in_(list(self.levels)),
            )
        ).all()
        db.session.execute(
            insert(ReviewScore),
            [
                {"review_id": review_id, "criterion_id": criterion_id, "level": level}
                for assignment_id, review_id in review_ids
                for criterion_id, level in self.levels[assignment_id].items()
            ],
        )
        self._start_review(self.started)

    def _start_review(self, application_ids: list[int]) -> None:
        """`transition(..., UNDER_REVIEW, by=None, notify=False)` for submitted applications."""
        table = Application.__table__
        for chunk in _chunks(application_ids):
            db.session.execute(
                table.update()
                .where(table.c.id.in_(chunk), table.c.state == ApplicationState.SUBMITTED)
                .values(
                    state=ApplicationState.UNDER_REVIEW,
                    updated_at=self.now,
                    version=table.c.version + 1,
                )
            )
        previous, to = ApplicationState.SUBMITTED, ApplicationState.UNDER_REVIEW
        db.session.execute(
            insert(ApplicationEvent),
            [
                {"application_id": i, "at": self.now, "from_state": previous, "to_state": to}
                for i in application_ids
            ],
        )
        db.session.execute(
            insert(AuditEvent),
            [
                {
                    "at": self.now,
                    "action": f"application.{to.value}",
                    "target_type": "Application",
                    "target_id": i,
                    "subject_user_id": self.applications[i],
                    "summary": f"{self.department.name}: {previous.label} -> {to.label}",
                    "detail": {"note": ""},
                }
                for i in application_ids
            ],
        )


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    """ids in slices small enough for any database's limit on bound parameters."""
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _award_rubric(ctx: DemoContext) -> None:
    committee = ctx.staff.get((Role.AWARD_COMMITTEE, None))
    if committee is None:
        return
    award_round = ensure_round(None, ctx.cycle, by=committee)
    save_rubric(
        award_round,
        title="Diversity in Medicine Visiting Clerkship Award rubric",
        scale_low=1,
        scale_high=4,
        criteria=[
            CriterionInput(
                name=name,
                weight=Decimal(weight),
                guidance=guidance,
                allows_insufficient=insufficient,
                descriptions={
                    1: "Little evidence in the essay or letters.",
                    2: "Some evidence, described in general terms.",
                    3: "Clear evidence with specific examples.",
                    4: "Exceptional, sustained evidence confirmed by letters.",
                },
                index=i,
            )
            for i, (name, weight, guidance, insufficient) in enumerate(AWARD_RUBRIC)
        ],
        based_on=None,
        by=committee,
    )
