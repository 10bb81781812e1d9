"""Forms about collaboratives and their members."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from maturity.collaboratives.models import MIN_GROUP_SIZE_FLOOR, PeerVisibility
from maturity.organisations.forms import OrganisationForm

VISIBILITY_CHOICES = [SelectChoice(v.value, v.label) for v in PeerVisibility]


def _min_group_size_field() -> IntegerField:
    return IntegerField(
        "Smallest group to report",
        description=(
            f"No figure about fewer respondents than this is ever shown, exported or charted. "
            f"At least {MIN_GROUP_SIZE_FLOOR}; 5 is usual."
        ),
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the smallest group to report"),
            NumberRange(
                min=MIN_GROUP_SIZE_FLOOR,
                max=100,
                message=f"Smallest group must be a whole number from {MIN_GROUP_SIZE_FLOOR} to 100",
            ),
        ],
    )


def _visibility_field() -> RadioField:
    return RadioField(
        "How members see each other",
        choices=VISIBILITY_CHOICES,
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose how members see each other")],
    )


def _tags_field() -> StringField:
    return StringField(
        "Comparator tags (optional)",
        description="Separate tags with commas, for example: metropolitan, north west",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=400, message="Tags must be 400 characters or fewer")],
    )


class CollaborativeForm(FlaskForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter the collaborative's name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
    )
    convening_organisation = SelectField(
        "Convening organisation",
        widget=GovSelect(),
        validators=[DataRequired(message="Choose the convening organisation")],
    )
    peer_visibility = _visibility_field()
    min_group_size = _min_group_size_field()
    submit = SubmitField("Create collaborative", widget=GovSubmitInput())


class CollaborativeSettingsForm(FlaskForm):
    peer_visibility = _visibility_field()
    min_group_size = _min_group_size_field()
    respondent_rows_export = BooleanField(
        "Allow exports of anonymised respondent-level rows",
        description=(
            "One row per submitted response, with the member and the respondent's answers "
            "(including role and other attributes), never names, emails or times. Members "
            "with fewer respondents than the smallest group to report are left out."
        ),
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Save settings", widget=GovSubmitInput())


class NewMemberForm(OrganisationForm):
    tags = _tags_field()
    submit = SubmitField("Add member", widget=GovSubmitInput())


class ExistingMemberForm(FlaskForm):
    slug = StringField(
        "Organisation's Placewise identifier",
        description="The last part of its web address on Placewise, for example kirkby-mbc",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter the organisation's identifier"),
            Length(max=80, message="Identifier must be 80 characters or fewer"),
        ],
    )
    tags = _tags_field()
    submit = SubmitField("Add member", widget=GovSubmitInput())


class MemberTagsForm(FlaskForm):
    tags = _tags_field()
    submit = SubmitField("Save tags", widget=GovSubmitInput())
