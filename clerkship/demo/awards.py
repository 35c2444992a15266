"""Demo step: the pathway definition, award applicants in every state, a budget partly spent.

It builds on whatever applications earlier steps made and adds those it needs (one
application per student and department, as the schema requires), so it runs with or
without the applications feature's own step.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import insert, select

from clerkship.accounts.models import Role, User
from clerkship.applications.models import (
    Accreditation,
    Application,
    ApplicationChoice,
    ApplicationEvent,
    ApplicationState,
    ExamResult,
    StudentProfile,
)
from clerkship.awards.eligibility import ALL_RULES, TRUTHFUL
from clerkship.awards.models import AwardAmount, AwardApplication, AwardSettings, AwardState
from clerkship.core.time import local_today, utcnow
from clerkship.demo import data
from clerkship.documents.models import DocumentKind
from clerkship.documents.queries import current_document
from clerkship.extensions import db
from clerkship.pathway.models import (
    AAMC_DEFINITION,
    DEFAULT_CATEGORIES,
    FlagDecision,
    Identification,
    PathwayConfig,
    PathwayDecision,
    SelfIdentification,
)
from clerkship.pathway.services import refresh_pathway_flags

if TYPE_CHECKING:
    from clerkship.demo.seed import DemoContext

CRITERIA = [
    "First-generation college student",
    "Socioeconomic disadvantage (e.g. Pell Grant or fee waiver recipient)",
    "Commitment to serving medically underserved communities",
]
ESSAY = (
    "I grew up translating for my grandmother at a county clinic, and I saw how much it "
    "mattered when a doctor spoke her language. I want to train where patients like her are "
    "cared for, and to bring that experience back to my community."
)
PROMPT = (
    "Tell us about your path to medicine, what draws you to this rotation, and how you hope "
    "to serve communities that are underrepresented in medicine (at most 500 words)."
)
S = AwardState
# (student index, department slug, award state, amount in dollars or None)
# An award reuses the student's application to the department when the applications step
# made one: a completed or paid award's is a completed rotation, an awarded one's has not
# ended without a rotation (`flask doctor` checks both). Luis Hernández (index 1) applies
# for nothing: the README shows him outside the pathway.
AWARDS = [
    (10, "emergency-medicine", S.PAID, 2000),
    (21, "internal-medicine", S.ROTATION_COMPLETED, 2000),
    (2, "pediatrics", S.AWARDED, 2000),
    (34, "psychiatry", S.AWARDED, 1000),
    (4, "internal-medicine", S.ALTERNATE, None),
    (5, "emergency-medicine", S.ALTERNATE, None),
    (6, "pediatrics", S.UNDER_REVIEW, None),
    (7, "psychiatry", S.SUBMITTED, None),
    (8, "internal-medicine", S.SUBMITTED, None),
    (9, "emergency-medicine", S.NOT_AWARDED, None),
    (19, "pediatrics", S.DECLINED, 2000),
    (11, "psychiatry", S.WITHDRAWN, None),
    (12, "internal-medicine", S.DRAFT, None),
    # Awarded, then the rotation application was withdrawn: the committee must decide.
    (20, "internal-medicine", S.NEEDS_ATTENTION, 1000),
]
# Students who self-identify without applying for the award, and the departments they apply to.
SELF_IDENTIFIED = [
    (13, ("emergency-medicine", "pediatrics"), Identification.YES, []),
    (14, ("psychiatry", "internal-medicine"), Identification.NO, [CRITERIA[0]]),
    (15, ("pediatrics",), Identification.YES, [CRITERIA[2]]),
    (11, ("psychiatry", "emergency-medicine"), Identification.YES, []),  # withdrew the award
]
# Students who apply without either, for contrast.
NEITHER = [(16, ("emergency-medicine",)), (17, ("pediatrics", "psychiatry"))]
COMPLETED_STATES = {S.PAID, S.ROTATION_COMPLETED}


def seed_awards(ctx: DemoContext) -> None:
    """The pathway definition, award settings, award applicants in every state, flags."""
    cycle = ctx.cycle
    committee = ctx.staff[(Role.AWARD_COMMITTEE, None)]
    admin = ctx.staff[(Role.ADMIN, None)]
    config = PathwayConfig(
        cycle=cycle,
        number=1,
        definition=AAMC_DEFINITION,
        categories=list(DEFAULT_CATEGORIES),
        criteria=CRITERIA,
        created_by=admin,
    )
    settings = AwardSettings(
        cycle=cycle,
        budget_cents=20000_00,
        committed_cents=0,
        deadline=cycle.application_deadline,
        essay_prompt=PROMPT,
        essay_word_limit=500,
        rules=[rule.value for rule in ALL_RULES],
        amounts=[
            AwardAmount(weeks=4, amount_cents=2000_00),
            AwardAmount(weeks=2, amount_cents=1000_00),
        ],
    )
    db.session.add_all([config, settings])
    students = ctx.students
    for index, slug, state, dollars in AWARDS:
        student = students[index]
        _profile(ctx, student, index)
        state_of_application = (
            ApplicationState.COMPLETED if state in COMPLETED_STATES else ApplicationState.SUBMITTED
        )
        application = _application(ctx, student, slug, state_of_application)
        _award(ctx, settings, application, state, dollars, committee, index)
    for index, slugs, identifies, criteria in SELF_IDENTIFIED:
        student = students[index]
        for slug in slugs:
            _application(ctx, student, slug, ApplicationState.SUBMITTED)
        categories = [DEFAULT_CATEGORIES[index % 4]] if identifies is Identification.YES else []
        db.session.add(
            SelfIdentification(
                student=student,
                cycle=cycle,
                config=config,
                identifies=identifies,
                categories=categories,
                criteria=criteria,
            )
        )
    for index, slugs in NEITHER:
        for slug in slugs:
            _application(ctx, students[index], slug, ApplicationState.SUBMITTED)
    db.session.flush()
    _director_decisions(ctx)
    for student in {students[i] for i, *_ in AWARDS + SELF_IDENTIFIED + NEITHER}:
        refresh_pathway_flags(student, cycle, by=None)
    if ctx.scale:
        _seed_synthetic_awards(ctx)


def _profile(ctx: DemoContext, student: User, index: int) -> None:
    if db.session.scalar(select(StudentProfile.id).where(StudentProfile.user_id == student.id)):
        return
    school, accreditation = data.MEDICAL_SCHOOLS[index % len(data.MEDICAL_SCHOOLS)]
    first, *_, last = student.full_name.split()
    db.session.add(
        StudentProfile(
            user=student,
            legal_first_name=first,
            legal_last_name=last,
            medical_school=school,
            accreditation=Accreditation(accreditation),
            expected_graduation=date(ctx.cycle.rotations_end_on.year + 1, 5, 20),
            usmle_step1=ExamResult.PASS if accreditation == "LCME" else ExamResult.NOT_TAKEN,
            comlex_level1=ExamResult.PASS if accreditation == "COCA" else ExamResult.NOT_TAKEN,
        )
    )


def _application(
    ctx: DemoContext, student: User, slug: str, state: ApplicationState
) -> Application:
    """The student's application to the department, made here if an earlier step did not."""
    department = ctx.departments[slug]
    application = db.session.scalar(
        select(Application).where(
            Application.student_id == student.id,
            Application.cycle_id == ctx.cycle.id,
            Application.department_id == department.id,
        )
    )
    if application is None:
        application = Application(
            student=student,
            cycle=ctx.cycle,
            department=department,
            state=state,
            personal_statement="I hope to learn from your patients and your team.",
            submitted_at=utcnow(),
        )
        blocks = ctx.blocks[slug]
        for rank, block in enumerate(ctx.rng.sample(blocks, k=min(2, len(blocks))), start=1):
            application.choices.append(ApplicationChoice(block=block, rank=rank))
        # The timeline ends at the state the application is in.
        application.events.append(
            ApplicationEvent(from_state=None, to_state=ApplicationState.DRAFT)
        )
        application.events.append(
            ApplicationEvent(from_state=ApplicationState.DRAFT, to_state=state)
        )
        db.session.add(application)
        db.session.flush()
    return application


def _award(ctx, settings, application, state, dollars, committee, index) -> None:
    cv = current_document(application.student, ctx.cycle, DocumentKind.CV)
    award = AwardApplication(
        student=application.student,
        cycle=ctx.cycle,
        application=application,
        state=state,
        essay=ESSAY,
        essay_words=len(ESSAY.split()),
        financial_need="I pay for travel and housing myself." if index % 2 else "",
        attestations=[r.value for r in ALL_RULES if r.spec.attestation] + [TRUTHFUL],
        cv_document_id=cv.id if cv else None,
        submitted_at=None if state is S.DRAFT else utcnow() - timedelta(days=20 - index),
        withdrawn_at=utcnow() if state is S.WITHDRAWN else None,
        amount_cents=dollars * 100 if dollars else None,
    )
    if state in {
        S.AWARDED,
        S.NEEDS_ATTENTION,
        S.ALTERNATE,
        S.NOT_AWARDED,
        S.DECLINED,
        *COMPLETED_STATES,
    }:
        award.decided_at = utcnow() - timedelta(days=5)
        award.decided_by = committee
    if state is S.ALTERNATE:
        award.alternate_rank = 1 if index == 4 else 2
    if state in COMPLETED_STATES:
        award.completed_at = utcnow() - timedelta(days=2)
    if state is S.PAID:
        award.paid_on = local_today()
        award.paid_cents = dollars * 100
        award.payment_reference = "AP-2027-0001"
        award.paid_recorded_by = committee
    settings.committed_cents += award.committed_cents
    db.session.add(award)


def _director_decisions(ctx: DemoContext) -> None:
    """A confirmation and a withdrawal, each with its reason, as directors write them."""
    students = ctx.students
    for index, slug, decision, reason in (
        (
            17,
            "pediatrics",
            FlagDecision.CONFIRMED,
            "Confirmed after the student wrote to us about the pipeline program they led.",
        ),
        (
            13,
            "emergency-medicine",
            FlagDecision.WITHDRAWN,
            "The student asked to be considered for open seats only in this department.",
        ),
    ):
        application = _application(ctx, students[index], slug, ApplicationState.SUBMITTED)
        db.session.add(
            PathwayDecision(
                application=application,
                decision=decision,
                reason=reason,
                decided_by=ctx.staff[(Role.DIRECTOR, slug)],
            )
        )


def _seed_synthetic_awards(ctx: DemoContext) -> None:
    """One synthetic student in ten applies to Emergency Medicine and for the award (benchmarks)."""
    department = ctx.departments["emergency-medicine"]
    synthetic = ctx.synthetic_student_ids[::10]
    have = set(
        db.session.scalars(
            select(Application.student_id).where(
                Application.cycle_id == ctx.cycle.id, Application.department_id == department.id
            )
        )
    )
    now = utcnow()
    rows = [
        {
            "student_id": s,
            "cycle_id": ctx.cycle.id,
            "department_id": department.id,
            "state": ApplicationState.SUBMITTED,
            "personal_statement": "",
            "in_pathway": True,
            "submitted_at": now,
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        for s in synthetic
        if s not in have
    ]
    if rows:  # an earlier step may have given every one of them an application already
        db.session.execute(insert(Application), rows)
    applications = dict(
        db.session.execute(
            select(Application.student_id, Application.id).where(
                Application.cycle_id == ctx.cycle.id,
                Application.department_id == department.id,
                Application.student_id.in_(synthetic),
            )
        ).all()
    )
    db.session.execute(
        insert(AwardApplication),
        [
            {
                "student_id": s,
                "cycle_id": ctx.cycle.id,
                "application_id": applications[s],
                "state": AwardState.SUBMITTED,
                "essay": ESSAY,
                "essay_words": len(ESSAY.split()),
                "financial_need": "",
                "attestations": [TRUTHFUL],
                "decision_note": "",
                "submitted_at": now,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
            for s in synthetic
        ],
    )
