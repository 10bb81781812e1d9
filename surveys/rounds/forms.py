"""Forms for rounds (convenor) and participations and invitations (coordinator).

Round dates are typed as UK calendar days with the GOV.UK date input; a round opens at
09:00 and closes at 23:59 UK time on those days, stored as aware UTC datetimes.
"""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    EmailField,
    Field,
    HiddenField,
    IntegerField,
    RadioField,
    StringField,
    SubmitField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from surveys.rounds.models import NamingConsent

UK = ZoneInfo("Europe/London")
OPENING_TIME = time(9, 0)
CLOSING_TIME = time(23, 59)
MAX_CSV_BYTES = 1024 * 1024
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
DATE_PARTS = ("day", "month", "year")


def uk_time_to_utc(day: date, at: time) -> datetime:
    """``at`` o'clock UK time on ``day``, as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=UK).astimezone(UTC)


def opening_at(day: date) -> datetime:
    """When a round opening on ``day`` opens: 09:00 UK time."""
    return uk_time_to_utc(day, OPENING_TIME)


def closing_at(day: date) -> datetime:
    """When a round closing on ``day`` closes: 23:59 UK time."""
    return uk_time_to_utc(day, CLOSING_TIME)


def uk_day(moment: datetime) -> date:
    """The UK calendar day of an aware datetime."""
    return moment.astimezone(UK).date()


def uk_date(moment: datetime | None) -> str:
    """A datetime as a UK date for people, like "2 November 2026"."""
    if moment is None:
        return ""
    day = uk_day(moment)
    return f"{day.day} {day:%B %Y}"


def _number(text: str, part: str) -> int | None:
    if part == "month" and text.lower() in MONTHS:
        return MONTHS[text.lower()]
    return int(text) if text.isdigit() else None


class _DateInput(GovDateInput):
    """The GOV.UK date input, its group keyed by the field's name (see DateInputField.id)."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.name)
        return super().__call__(field, **kwargs)


class DateInputField(Field):
    """A date typed as day, month and year, with the GOV.UK date input's error messages.

    The field's id is its day box's, so the error summary links to a box the cursor can go
    to (a link to the group's <div> would move neither focus nor the screen reader).
    """

    widget = _DateInput()

    def __init__(self, label: str, subject: str, **kwargs):
        super().__init__(label, **kwargs)
        self.id = f"{self.id}-day"
        self.subject = subject  # "Opening date", used at the start of messages
        self.problem: str | None = None

    def _value(self) -> str:
        return ""

    def process_formdata(self, valuelist: list[str]) -> None:
        parts = [str(value).strip() for value in valuelist[:3]]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts
        self.data, self.problem = None, None
        missing = [name for name, text in zip(DATE_PARTS, parts, strict=True) if not text]
        if len(missing) == 3:
            self.problem = f"Enter the {self.subject.lower()}"
        elif missing:
            self.problem = f"{self.subject} must include a {' and '.join(missing)}"
        else:
            self.data, self.problem = self._parse(parts)

    def _parse(self, parts: list[str]) -> tuple[date | None, str | None]:
        day, month, year = (
            _number(text, name) for text, name in zip(parts, DATE_PARTS, strict=True)
        )
        if year is not None and len(parts[2]) != 4:
            return None, "Year must include 4 numbers"
        try:
            return date(year, month, day), None
        except (TypeError, ValueError):
            return None, f"{self.subject} must be a real date"

    def pre_validate(self, form) -> None:
        if self.problem:
            raise ValidationError(self.problem)


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _name_field() -> StringField:
    return StringField(
        "Round name",
        description="For example, Autumn 2026",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            DataRequired(message="Enter a name for the round"),
            Length(max=120, message="Round name must be 120 characters or fewer"),
        ],
    )


class RoundDatesForm(FlaskForm):
    """A round's name and its opening and closing days."""

    name = _name_field()
    opens_on = DateInputField(
        "Opening date",
        "Opening date",
        description="The round opens at 9am UK time on this day. For example, 2 11 2026",
    )
    closes_on = DateInputField(
        "Closing date",
        "Closing date",
        description="The round closes at 11:59pm UK time on this day. For example, 18 12 2026",
    )
    submit = SubmitField("Save changes", widget=GovSubmitInput())

    def validate_closes_on(self, field: DateInputField) -> None:
        """The closing day cannot come before the opening day."""
        if self.opens_on.data and field.data and field.data < self.opens_on.data:
            raise ValidationError("The closing date must be the same as or after the opening date")

    @property
    def opens_at(self) -> datetime:
        return opening_at(self.opens_on.data)

    @property
    def closes_at(self) -> datetime:
        return closing_at(self.closes_on.data)


class NewRoundForm(RoundDatesForm):
    """Plan a round: its name, published framework version and dates."""

    version = RadioField(
        "Framework version",
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose the framework version the round uses")],
        invalid_choice_message="Choose one of the published framework versions",
    )
    submit = SubmitField("Create round", widget=GovSubmitInput())

    def __init__(self, version_choices: list[SelectChoice], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.version.choices = version_choices
        if len(version_choices) == 1 and not self.version.data:
            self.version.data = version_choices[0].value


class RoundStateForm(FlaskForm):
    """A button that moves a round to another state."""

    state = HiddenField(validators=[DataRequired()])


class WholeNumberField(IntegerField):
    """A whole number that may be typed with thousands separators, like 1,200."""

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").replace(",", "").strip()
        if not text:
            self.data = None
        elif text.isdigit():
            self.data = int(text)
        else:
            self.data = None
            raise ValueError(f"{self.label.text} must be a whole number, like 45")


class EligibleStaffForm(FlaskForm):
    eligible_staff = WholeNumberField(
        "Eligible staff",
        description=(
            "How many people could respond, for the response rate. Leave empty if you do not know."
        ),
        widget=GovTextInput(),
        validators=[
            Optional(),
            NumberRange(
                min=0,
                max=1_000_000,
                message="Eligible staff must be a whole number from 0 to 1,000,000",
            ),
        ],
    )
    submit = SubmitField("Save eligible staff", widget=GovSubmitInput())


NAMING_CHOICES = [SelectChoice(consent.value, consent.label) for consent in NamingConsent]


class NamingConsentForm(FlaskForm):
    naming_consent = RadioField(
        "How your organisation may be named in this round's results",
        choices=NAMING_CHOICES,
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose how your organisation may be named")],
        invalid_choice_message="Choose how your organisation may be named",
    )
    submit = SubmitField("Save naming consent", widget=GovSubmitInput())


class InvitationForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            DataRequired(message="Enter an email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            Email(
                message="Enter an email address in the correct format, like name@example.org",
                check_deliverability=False,
            ),
        ],
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class InvitationUploadForm(FlaskForm):
    file = FileField(
        "Upload a CSV file",
        description=(
            "One email address in each row. The first row may be a heading, email. Up to 1 MB."
        ),
        widget=GovFileInput(),
    )
    submit = SubmitField("Upload and send invitations", widget=GovSubmitInput())
    content = b""

    def validate_file(self, field: FileField) -> None:
        """Accept one small .csv file."""
        if field.data is None or not field.data.filename:
            raise ValidationError("Choose a CSV file")
        if not field.data.filename.lower().endswith(".csv"):
            raise ValidationError("The selected file must be a CSV file")
        content = field.data.read(MAX_CSV_BYTES + 1)
        if len(content) > MAX_CSV_BYTES:
            raise ValidationError("The selected file must be smaller than 1 MB")
        self.content = content
