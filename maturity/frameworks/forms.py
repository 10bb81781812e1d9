"""Forms for importing frameworks and editing draft versions."""

from math import isfinite

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, FloatField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from maturity.frameworks.models import ItemType, Level, ScoringMethod
from maturity.frameworks.spec import (
    ITEM_TYPES,
    KEY_PATTERN,
    LEVEL_NAME_MAX,
    NAME_MAX,
    SCORED_TYPES,
    OptionSpec,
)
from maturity.frameworks.yaml_io import MAX_YAML_BYTES

TEXT_MAX = 5000
KEY_MAX = 60  # as KEY_PATTERN allows
SCORING_LABELS = {
    ScoringMethod.MEAN: "Average – a member's overall maturity is the average of its "
    "dimension scores, using the dimensions' weights",
    ScoringMethod.WEAKEST_LINK: "Weakest link – a member's overall maturity is its lowest "
    "dimension score, so one weak area holds the whole score down",
}
SCORED_CHOICES = [SelectChoice(t, ItemType(t).label) for t in SCORED_TYPES]
CONTEXT_CHOICES = [SelectChoice(t, ItemType(t).label) for t in ITEM_TYPES if t not in SCORED_TYPES]


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _bare(label: str) -> str:
    return label.removesuffix(" (optional)")


class NumberField(FloatField):
    """A number typed as text; anything that is not a finite number is a field error."""

    widget = GovTextInput()

    def process_formdata(self, valuelist: list) -> None:
        super().process_formdata(valuelist)
        if self.data is not None and not isfinite(self.data):
            self.data = None
            raise ValueError(self.invalid_value_message)


class OptionsField(TextAreaField):
    """Choices typed one a line as ``value | label``; ``data`` is a list of OptionSpec."""

    widget = GovTextArea()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "\n".join(f"{o.value} | {o.label}" for o in self.data or [])

    def process_formdata(self, valuelist: list) -> None:
        self.data = []
        if not valuelist:
            return
        for number, line in enumerate((_strip(valuelist[0]) or "").splitlines(), start=1):
            if not line.strip():
                continue
            value, bar, label = (part.strip() for part in line.partition("|"))
            if not bar or not value or not label:
                self.data = []
                raise ValueError(f"Line {number} of the options must look like: value | label")
            self.data.append(OptionSpec(value, label))


def _text(
    label: str,
    message: str | None = None,
    *,
    hint: str = "",
    max_: int = NAME_MAX,
    extra: tuple = (),
) -> StringField:
    required = [DataRequired(message=message)] if message else [Optional()]
    return StringField(
        label,
        description=hint,
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            *required,
            Length(max=max_, message=f"{_bare(label)} must be {max_} characters or fewer"),
            *extra,
        ],
    )


def _area(label: str, message: str | None = None, *, hint: str = "") -> TextAreaField:
    required = [DataRequired(message=message)] if message else [Optional()]
    return TextAreaField(
        label,
        description=hint,
        widget=GovTextArea(),
        filters=[_strip],
        validators=[
            *required,
            Length(max=TEXT_MAX, message=f"{_bare(label)} must be {TEXT_MAX} characters or fewer"),
        ],
    )


def _number(label: str, what: str, *, hint: str = "") -> NumberField:
    return NumberField(
        label,
        description=hint,
        invalid_value_message=f"{what.capitalize()} must be a number, like 1 or 2.5",
        validators=[InputRequired(message=f"Enter the {what}")],
    )


KEY_HINT = "Lower-case letters, digits, hyphens and underscores, starting with a letter"


def _key(label: str, message: str | None, hint: str) -> StringField:
    what = label.split(" ")[0]
    key_format = Regexp(
        KEY_PATTERN,
        message=f"{what} must start with a letter and use only lower-case letters, digits, "
        "hyphens and underscores",
    )
    return _text(label, message, hint=hint, max_=KEY_MAX, extra=(key_format,))


class ImportFrameworkForm(FlaskForm):
    yaml_file = FileField(
        "Upload a YAML file",
        description="A .yaml or .yml file in the Placewise framework format, up to 1 MB",
        widget=GovFileInput(),
    )
    yaml_text = TextAreaField(
        "Or paste the YAML text",
        widget=GovTextArea(),
        validators=[Length(max=MAX_YAML_BYTES, message="The YAML must be smaller than 1 MB")],
    )
    submit = SubmitField("Import framework", widget=GovSubmitInput())
    file_text = ""

    def validate_yaml_file(self, field: FileField) -> None:
        """Accept one small UTF-8 .yaml or .yml file, or pasted text, not both."""
        has_text = bool((self.yaml_text.data or "").strip())
        if field.data is None:
            if not has_text:
                raise ValidationError("Choose a YAML file or paste the YAML text")
            return
        if has_text:
            raise ValidationError("Choose a file or paste text, not both")
        if not field.data.filename.lower().endswith((".yaml", ".yml")):
            raise ValidationError("The selected file must be a .yaml or .yml file")
        content = field.data.read(MAX_YAML_BYTES + 1)
        if len(content) > MAX_YAML_BYTES:
            raise ValidationError("The selected file must be smaller than 1 MB")
        try:
            self.file_text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError("The selected file must be UTF-8 text") from None

    @property
    def source_field(self) -> str:
        """The name of the field the YAML came from."""
        return "yaml_file" if self.yaml_file.data is not None else "yaml_text"

    def source_text(self) -> str:
        """The YAML to import, from the file or the text box."""
        return self.file_text if self.yaml_file.data is not None else self.yaml_text.data


class VersionSettingsForm(FlaskForm):
    description = _area(
        "Description",
        hint="What the framework is for and who should answer. Respondents see it.",
    )
    scoring_method = RadioField(
        "How to work out a member's overall maturity",
        choices=[SelectChoice(m.value, label) for m, label in SCORING_LABELS.items()],
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose how to work out overall maturity")],
    )
    submit = SubmitField("Save settings", widget=GovSubmitInput())


class NewLevelForm(FlaskForm):
    name = _text("Name", "Enter the level's name", max_=LEVEL_NAME_MAX)
    summary = _area("Summary (optional)")
    band_floor = _number(
        "Band floor",
        "band floor",
        hint="A mean score at or above this number, and below the next level's floor, "
        "is reported at this level",
    )
    submit = SubmitField("Add level", widget=GovSubmitInput())


def levels_form(levels: list[Level], **kwargs) -> FlaskForm:
    """A form with the name, summary and band floor of every level, ``level_N_…``."""

    class LevelsForm(FlaskForm):
        submit = SubmitField("Save levels", widget=GovSubmitInput())

    for level in levels:
        n = level.number
        name = _text("Name", f"Enter a name for level {n}", max_=LEVEL_NAME_MAX)
        setattr(LevelsForm, f"level_{n}_name", name)
        setattr(LevelsForm, f"level_{n}_summary", _area("Summary (optional)"))
        setattr(LevelsForm, f"level_{n}_band_floor", _number("Band floor", f"level {n} band floor"))
    return LevelsForm(**kwargs)


def dimension_form(levels: list[Level], **kwargs) -> FlaskForm:
    """A dimension's fields plus a descriptor box for every level, ``descriptor_N``."""

    class DimensionForm(FlaskForm):
        key = _key("Key", "Enter a key", KEY_HINT)
        name = _text("Name", "Enter the dimension's name")
        summary = _area("Summary (optional)")
        weight = _number(
            "Weight",
            "weight",
            hint="How much this dimension counts in the overall average. 1 is usual.",
        )
        submit = SubmitField("Save dimension", widget=GovSubmitInput())

    for level in levels:
        setattr(
            DimensionForm,
            f"descriptor_{level.number}",
            _area(
                f"Level {level.number}: {level.name}",
                hint="You can leave this blank while drafting; publishing needs every level.",
            ),
        )
    return DimensionForm(**kwargs)


class ItemForm(FlaskForm):
    key = _key("Key", "Enter a key", KEY_HINT)
    lineage = _key(
        "Lineage (optional)",
        None,
        "Leave blank to use the key. Keep the lineage when you reword a question, so "
        "results stay comparable across versions.",
    )
    text = _area("Question", "Enter the question")
    help = _area("Help text (optional)", hint="Shown under the question")
    required = BooleanField(
        "Respondents must answer this question",
        description="Otherwise they can skip it",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Save question", widget=GovSubmitInput())


class DimensionItemForm(ItemForm):
    item_type = RadioField(
        "Type of question",
        choices=SCORED_CHOICES,
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose the type of question")],
    )
    reverse = BooleanField(
        "Reverse-score this question",
        description="For agreement questions worded negatively: strongly agree scores lowest",
        widget=GovCheckboxInput(),
    )


class ContextItemForm(ItemForm):
    item_type = RadioField(
        "Type of question",
        choices=CONTEXT_CHOICES,
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose the type of question")],
    )
    attribute = BooleanField(
        "Use the answers to break down results (a respondent attribute, such as role)",
        description="Results can then be compared between, say, frontline staff and leaders",
        widget=GovCheckboxInput(),
    )
    options = OptionsField(
        "Options (for one or several choices from a list)",
        description="One option a line, as: value | label. For example: frontline | "
        "Frontline staff. Keep the values when you reword the labels.",
    )


def item_form(scored: bool, **kwargs) -> ItemForm:
    """The form for a dimension's question or a context question."""
    return (DimensionItemForm if scored else ContextItemForm)(**kwargs)


class MoveForm(FlaskForm):
    direction = RadioField(
        "Direction", choices=[SelectChoice("up", "Up"), SelectChoice("down", "Down")]
    )
