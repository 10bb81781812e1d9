"""Forms used only by platform admins."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from maturity.accounts.forms import _email_field
from maturity.collaboratives.forms import CollaborativeForm


class NewCollaborativeForm(CollaborativeForm):
    convenor_name = StringField(
        "First convenor's name",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter the first convenor's name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
    )
    convenor_email = _email_field("First convenor's email address")
    submit = SubmitField("Create collaborative", widget=GovSubmitInput())


class JobRetryForm(FlaskForm):
    """The button that puts one failed job back on the queue."""

    job_id = HiddenField(validators=[DataRequired(), Length(max=200)])
