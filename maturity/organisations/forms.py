"""Forms about organisations."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import IntegerField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from maturity.organisations.models import OrganisationKind

KIND_CHOICES = [SelectChoice(kind.value, kind.label) for kind in OrganisationKind]


class OrganisationForm(FlaskForm):
    name = StringField(
        "Name",
        description="For example, Kirkby Metropolitan Borough Council",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter the organisation's name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
    )
    kind = SelectField(
        "Type of organisation",
        choices=KIND_CHOICES,
        widget=GovSelect(),
        validators=[DataRequired(message="Choose the type of organisation")],
    )
    region = StringField(
        "Region (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=100, message="Region must be 100 characters or fewer")],
    )
    population = IntegerField(
        "Population (optional)",
        widget=GovTextInput(),
        validators=[
            Optional(),
            NumberRange(min=0, max=100_000_000, message="Population must be a whole number from 0"),
        ],
    )
    submit = SubmitField("Save organisation", widget=GovSubmitInput())
