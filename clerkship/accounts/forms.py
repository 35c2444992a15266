"""Input checks for accounts."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from clerkship.accounts.models import Role
from clerkship.accounts.queries import ACCOUNT_STATES
from clerkship.core.forms import Form, strip

EMAIL_FIELD = dict(
    validators=[DataRequired("Enter your email address."), Email("Enter a valid email address.")],
    filters=[strip],
)


class RegisterForm(Form):
    full_name = StringField(
        "Full name",
        validators=[DataRequired("Enter your name."), Length(max=200)],
        filters=[strip],
        description="As it appears on your school's records.",
    )
    email = EmailField(
        "Email",
        description="Your school email; we send a link to confirm it.",
        **EMAIL_FIELD,
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Choose a password.")],
        description="At least 12 characters; a few unrelated words make a strong one.",
    )
    confirm = PasswordField(
        "Repeat password",
        validators=[
            DataRequired("Repeat your password."),
            EqualTo("password", "The passwords differ."),
        ],
    )


class LoginForm(Form):
    email = EmailField("Email", **EMAIL_FIELD)
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])
    remember = BooleanField(
        "Keep me signed in on this device",
        description="For students; staff accounts sign out after a while without activity.",
    )


class SignInCodeForm(Form):
    code = StringField(
        "Code",
        validators=[DataRequired("Enter the code from your authenticator app."), Length(max=40)],
        filters=[strip],
        description="The 6-digit code your authenticator app shows now, or one of your "
        "recovery codes.",
    )


class EnrolTwoFactorForm(Form):
    code = StringField(
        "Code from the app",
        validators=[DataRequired("Enter the 6-digit code the app shows."), Length(max=20)],
        filters=[strip],
        description="After adding the account, type the 6-digit code the app shows.",
    )


class RenewRecoveryCodesForm(Form):
    code = StringField(
        "Code from the app",
        validators=[DataRequired("Enter the 6-digit code the app shows."), Length(max=20)],
        filters=[strip],
        description="New codes replace every code you have now, used or not.",
    )


class ResetTwoFactorForm(Form):
    """Reset another person's second factor: a button, only the CSRF token to check."""


class ForgotPasswordForm(Form):
    email = EmailField("Email", **EMAIL_FIELD)


class ResendVerificationForm(Form):
    pass


class EndSessionsForm(Form):
    """Sign out everywhere: a button, only the CSRF token to check."""


class NewPasswordForm(Form):
    password = PasswordField(
        "New password",
        validators=[DataRequired("Choose a password.")],
        description="At least 12 characters; a few unrelated words make a strong one.",
    )
    confirm = PasswordField(
        "Repeat new password",
        validators=[
            DataRequired("Repeat your password."),
            EqualTo("password", "The passwords differ."),
        ],
    )


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired("Enter your current password.")]
    )


def role_choices() -> list[tuple[str, str]]:
    return [(role.value, role.label) for role in Role]


class MembershipForm(Form):
    role = SelectField("Role", choices=role_choices, validators=[DataRequired("Choose a role.")])
    department = SelectField(
        "Department",
        choices=[],
        validators=[Optional()],
        description="Only for reviewers, directors and coordinators.",
    )


class InviteForm(MembershipForm):
    full_name = StringField(
        "Full name",
        validators=[DataRequired("Enter the person's name."), Length(max=200)],
        filters=[strip],
    )
    email = EmailField(
        "Email",
        validators=[DataRequired("Enter an email address."), Email("Enter a valid email address.")],
        filters=[strip],
    )


class EditUserForm(Form):
    full_name = StringField(
        "Full name",
        validators=[DataRequired("Enter the person's name."), Length(max=200)],
        filters=[strip],
    )
    active = BooleanField(
        "Can sign in", description="Deactivating signs the person out everywhere."
    )


class UserFilterForm(Form):
    class Meta:
        csrf = False

    q = StringField("Search name or email", filters=[strip], validators=[Optional()])
    role = SelectField(
        "Role", choices=lambda: [("", "Any role"), *role_choices()], validators=[Optional()]
    )
    state = SelectField(
        "Account",
        choices=[("", "Any account"), *ACCOUNT_STATES.items()],
        validators=[Optional()],
    )
