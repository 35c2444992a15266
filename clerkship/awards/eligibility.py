"""Who may receive the award: switchable rules, checked without a request or a database.

Each rule is data (its code is stored in AwardSettings.rules); each check returns the
reasons it fails, written for the student, so every failed rule is named.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from clerkship.applications.models import (
    Accreditation,
    Application,
    ApplicationState,
    ExamResult,
    StudentProfile,
)
from clerkship.cycles.models import AwardTiming, Cycle

TRUTHFUL = "truthful"
TRUTHFUL_TEXT = "Everything in this award application and my profile is true and complete."


class Rule(enum.Enum):
    """An eligibility rule a cycle can switch on or off."""

    FOURTH_YEAR = "fourth_year"
    GOOD_STANDING = "good_standing"
    ACCREDITED_SCHOOL = "accredited_school"
    CORE_CLERKSHIPS = "core_clerkships"
    STEP1_PASSED = "step1_passed"

    @property
    def spec(self) -> RuleSpec:
        return RULE_SPECS[self]

    @property
    def label(self) -> str:
        return self.spec.label


@dataclass(frozen=True)
class Failure:
    """One reason a submission is refused: the rule's name, what to do, the form field."""

    name: str
    message: str
    field: str | None = None

    def __str__(self) -> str:
        return f"{self.name}: {self.message}"


@dataclass(frozen=True)
class Facts:
    """What the rules look at: the profile (None if never filled in) and the attestations."""

    cycle: Cycle
    profile: StudentProfile | None
    attestations: frozenset[str]


@dataclass(frozen=True)
class RuleSpec:
    label: str
    # The statement the student ticks, when the rule rests (also) on their word.
    attestation: str | None
    # What the profile fails, if the rule looks at the profile.
    check: Callable[[Facts], str | None]


def _fourth_year(facts: Facts) -> str | None:
    # A fourth-year student rotating in this cycle graduates after the first rotation
    # day and within a year of the last.
    graduation = facts.profile.expected_graduation if facts.profile else None
    latest = facts.cycle.rotations_end_on + timedelta(days=366)
    if graduation is None:
        return "add your expected graduation date to your profile"
    if not facts.cycle.rotations_start_on < graduation <= latest:
        return (
            f"your profile gives your expected graduation as {graduation:%b %-d, %Y}; fourth-year "
            f"students in this cycle graduate between {facts.cycle.rotations_start_on:%b %-d, %Y} "
            f"and {latest:%b %-d, %Y}"
        )
    return None


def _accredited(facts: Facts) -> str | None:
    accreditation = facts.profile.accreditation if facts.profile else None
    if accreditation not in (Accreditation.LCME, Accreditation.COCA):
        return "your profile must give your school's accreditation (LCME or COCA)"
    return None


def _step1(facts: Facts) -> str | None:
    profile = facts.profile
    if profile and ExamResult.PASS in (profile.usmle_step1, profile.comlex_level1):
        return None
    return "your profile shows neither USMLE Step 1 nor COMLEX-USA Level 1 as passed"


def _on_their_word(_facts: Facts) -> None:
    return None


RULE_SPECS: dict[Rule, RuleSpec] = {
    Rule.FOURTH_YEAR: RuleSpec(
        "Fourth-year student",
        "I am a fourth-year medical student during this season's rotations.",
        _fourth_year,
    ),
    Rule.GOOD_STANDING: RuleSpec(
        "In good standing",
        "I am in good academic and professional standing at my school.",
        _on_their_word,
    ),
    Rule.ACCREDITED_SCHOOL: RuleSpec("LCME or COCA school", None, _accredited),
    Rule.CORE_CLERKSHIPS: RuleSpec(
        "Core clerkships completed",
        "I will have completed my core clerkships before the rotation starts.",
        _on_their_word,
    ),
    Rule.STEP1_PASSED: RuleSpec("USMLE Step 1 or COMLEX-USA Level 1 passed", None, _step1),
}
ALL_RULES = tuple(Rule)


def enabled_rules(codes: list[str]) -> list[Rule]:
    """The rules switched on, in their fixed order (unknown codes are ignored)."""
    return [rule for rule in ALL_RULES if rule.value in codes]


def attestation_choices(codes: list[str]) -> list[tuple[str, str]]:
    """(code, statement) of what the student ticks: each attested rule, then truthfulness."""
    choices = [(r.value, r.spec.attestation) for r in enabled_rules(codes) if r.spec.attestation]
    return [*choices, (TRUTHFUL, TRUTHFUL_TEXT)]


def check_rules(facts: Facts, codes: list[str]) -> list[Failure]:
    """Every switched-on rule the facts fail, named, with each thing to put right."""
    failures = []
    for rule in enabled_rules(codes):
        problems = [rule.spec.check(facts)]
        unattested = rule.spec.attestation is not None and rule.value not in facts.attestations
        if unattested:
            problems.append("tick the statement that you meet this requirement")
        problems = [p for p in problems if p]
        if problems:
            message = "; ".join(problems) + "."
            failures.append(Failure(rule.label, message, "attestations" if unattested else None))
    return failures


WORD = re.compile(r"\S+")


def count_words(value: str) -> int:
    """Words as the server counts them: runs of non-space characters."""
    return len(WORD.findall(value or ""))


ALLOWED_WITH_APPLICATION = frozenset(
    {
        ApplicationState.DRAFT,
        ApplicationState.SUBMITTED,
        ApplicationState.UNDER_REVIEW,
        ApplicationState.WAITLISTED,
        ApplicationState.OFFERED,
        ApplicationState.ACCEPTED,
        ApplicationState.COMPLETED,
    }
)
ACCEPTED_STATES = frozenset({ApplicationState.ACCEPTED, ApplicationState.COMPLETED})


def check_timing(application: Application | None) -> Failure | None:
    """The rotation application fits its department's award timing."""
    name = "Rotation application"
    if application is None:
        return Failure(name, "choose the rotation application the award is for.", "application_id")
    department = application.department
    if department.award_timing is AwardTiming.AFTER_ACCEPTANCE:
        if application.state not in ACCEPTED_STATES:
            return Failure(
                name,
                f"{department.name} considers award applications only after you accept its "
                f"rotation offer; your application is {application.state.label.lower()}.",
                "application_id",
            )
    elif application.state not in ALLOWED_WITH_APPLICATION:
        return Failure(
            name,
            f"your {department.name} application is {application.state.label.lower()}; choose "
            "an application that is still open.",
            "application_id",
        )
    return None


@dataclass(frozen=True)
class Submission:
    """Everything a submission is checked against."""

    facts: Facts
    rules: list[str]
    application: Application | None
    essay: str
    word_limit: int
    has_cv: bool
    deadline: date
    today: date


def check_submission(s: Submission) -> list[Failure]:
    """Every reason the award application cannot be submitted, each named; [] means it can."""
    failures: list[Failure] = []
    if s.today > s.deadline:
        failures.append(
            Failure("Deadline", f"award applications closed on {s.deadline:%b %-d, %Y}.")
        )
    timing = check_timing(s.application)
    if timing:
        failures.append(timing)
    words = count_words(s.essay)
    if words == 0:
        failures.append(Failure("Essay", "write your essay.", "essay"))
    elif words > s.word_limit:
        failures.append(
            Failure(
                "Essay",
                f"your essay has {words} words; the limit is {s.word_limit}.",
                "essay",
            )
        )
    if not s.has_cv:
        failures.append(
            Failure("CV", "upload your CV with your rotation applications; the award reuses it.")
        )
    failures += check_rules(s.facts, s.rules)
    if TRUTHFUL not in s.facts.attestations:
        failures.append(
            Failure(
                "Truthfulness", "tick the statement that your answers are true.", "attestations"
            )
        )
    return failures
