"""Why a message was sent, in words: the outbox pages show these, never a template's name."""

from __future__ import annotations

REASONS = {
    "application_state": "Application status",
    "award_released": "Award released",
    "award_state": "Award decision",
    "award_submitted": "Award application submitted",
    "award_withdrawn": "Award application withdrawn",
    "compliance_reminder": "Onboarding documents reminder",
    "document_rejected": "Document sent back",
    "document_rejection_withdrawn": "Document no longer sent back",
    "evaluation_assigned": "Evaluation to write",
    "evaluation_sent": "Evaluation sent to the home school",
    "interview_booking": "Interview booked",
    "interview_invitation": "Interview invitation",
    "interview_reply_reminder": "Interview invitation reminder",
    "interview_withdrawn": "Interview invitation withdrawn",
    "interview_no_day": "Interview draw: no day",
    "interview_offer": "Interview waitlist seat offered",
    "interview_offer_expired": "Interview waitlist offer expired",
    "interview_reminder": "Interview reminder",
    "invitation": "Staff account invitation",
    "letter_received": "Letter received",
    "letter_request": "Letter requested",
    "mentorship_affinity_list": "Affinity group: students who chose it",
    "mentorship_closed": "Mentor request closed",
    "mentorship_ended": "Mentorship ended",
    "mentorship_intro_mentor": "Mentor introduction (to the mentor)",
    "mentorship_intro_student": "Mentor introduction (to the student)",
    "missing_items_reminder": "Missing application items reminder",
    "offer_made": "Offer",
    "offer_reminder": "Offer reminder",
    "password_changed": "Password changed",  # nosec B105
    "pathway_decision": "UIM pathway decision",
    "register_existing": "Sign-up with an existing email",
    "reset_password": "Password reset",  # nosec B105
    "review_assigned": "Reviews assigned",
    "review_reminder": "Review reminder",
    "rotation_ended_early": "Rotation ended early",
    "survey_invitation": "Rotation survey invitation",
    "staff_message": "Written by staff",
    "verify_email": "Email address check",
}


def reason_label(template: str) -> str:
    """The reason a message was sent, from the name of the template it was written from."""
    return REASONS.get(template) or template.replace("_", " ").capitalize()
