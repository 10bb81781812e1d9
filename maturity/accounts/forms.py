"""Forms for signing in, passwords and inviting people."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovPasswordInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import EmailField, PasswordField, RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length

from maturity.accounts.passwords import MAX_LENGTH


def _email_field(label: str = "Email address") -> EmailField:
    return EmailField(
        label,
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter an email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            Email(
                message="Enter an email address in the correct format, like name@example.org",
                check_deliverability=False,
            ),
        ],
    )


def _password_field(label: str, message: str, hint: str = "") -> PasswordField:
    return PasswordField(
        label,
        description=hint,
        widget=GovPasswordInput(),
        validators=[InputRequired(message=message), Length(max=MAX_LENGTH)],
    )


class SignInForm(FlaskForm):
    email = _email_field()
    password = _password_field("Password", "Enter your password")
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class PasswordResetRequestForm(FlaskForm):
    email = _email_field()
    submit = SubmitField("Send me a link", widget=GovSubmitInput())


NEW_PASSWORD_HINT = "At least 8 characters. A few unrelated words together make a strong password."


class PasswordSetForm(FlaskForm):
    password = _password_field("New password", "Enter a new password", NEW_PASSWORD_HINT)
    confirm = _password_field("Confirm new password", "Enter the new password again")
    submit = SubmitField("Save password", widget=GovSubmitInput())


class PasswordChangeForm(FlaskForm):
    current = _password_field("Current password", "Enter your current password")
    password = _password_field("New password", "Enter a new password", NEW_PASSWORD_HINT)
    confirm = _password_field("Confirm new password", "Enter the new password again")
    submit = SubmitField("Change password", widget=GovSubmitInput())


class InvitePersonForm(FlaskForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter the person's name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
    )
    email = _email_field()
    role = RadioField(
        "Role", widget=GovRadioInput(), validators=[InputRequired(message="Choose a role")]
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())

    def __init__(self, role_choices: list[SelectChoice], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices
        if len(role_choices) == 1 and not self.role.data:
            self.role.data = role_choices[0].value
