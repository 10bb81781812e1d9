"""The form for creating a personal access token."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from maturity.api.models import TokenScope
from maturity.api.tokens import EXPIRY_DAYS

DEFAULT_EXPIRY_DAYS = 90
SCOPE_HINT = (
    "A read-only token sees what your roles let you see on the pages. A read-and-write token "
    "can also open and close rounds or set eligible staff, where your roles allow that."
)


def _expiry_label(days: int) -> str:
    return {7: "7 days", 30: "30 days", 90: "90 days", 365: "1 year"}.get(days, f"{days} days")


class ApiTokenForm(FlaskForm):
    name = StringField(
        "Token name",
        description="So you can tell your tokens apart, for example 'Quarterly report script'",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter a name for the token"),
            Length(max=100, message="Token name must be 100 characters or fewer"),
        ],
    )
    scope = RadioField(
        "What can it do?",
        description=SCOPE_HINT,
        widget=GovRadioInput(),
        choices=[SelectChoice(scope.value, scope.label) for scope in TokenScope],
        default=TokenScope.READ.value,
        validators=[InputRequired(message="Choose what the token can do")],
    )
    expires_in = RadioField(
        "When does it expire?",
        widget=GovRadioInput(),
        choices=[SelectChoice(str(days), _expiry_label(days)) for days in EXPIRY_DAYS],
        default=str(DEFAULT_EXPIRY_DAYS),
        validators=[InputRequired(message="Choose when the token expires")],
    )
    submit = SubmitField("Create token", widget=GovSubmitInput())
