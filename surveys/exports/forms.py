"""The export and import forms on a round's pages."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from maturity.exports.writers import FORMATS

MAX_IMPORT_BYTES = 20 * 1024 * 1024


class ExportForm(FlaskForm):
    what = RadioField(
        "What to export",
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose what to export")],
    )
    format = RadioField(
        "File format",
        choices=[SelectChoice(f.name, f.label) for f in FORMATS.values()],
        default="csv",
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose a file format")],
    )
    submit = SubmitField("Download", widget=GovSubmitInput())

    def __init__(self, kinds, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.what.choices = [SelectChoice(kind.name, kind.label) for kind in kinds]


class ImportResponsesForm(FlaskForm):
    file = FileField(
        "Upload a CSV file",
        description=(
            "In the format of the responses export: a response column, a member_id column "
            "and one column per question key. Up to 20 MB."
        ),
        widget=GovFileInput(),
    )
    submit = SubmitField("Import responses", widget=GovSubmitInput())
    content = b""
    filename = ""

    def validate_file(self, field: FileField) -> None:
        """Accept one .csv file of at most 20 MB."""
        if field.data is None or not getattr(field.data, "filename", ""):
            raise ValidationError("Choose a CSV file")
        if not field.data.filename.lower().endswith(".csv"):
            raise ValidationError("The selected file must be a CSV file")
        content = field.data.read(MAX_IMPORT_BYTES + 1)
        if len(content) > MAX_IMPORT_BYTES:
            raise ValidationError("The selected file must be smaller than 20 MB")
        self.content, self.filename = content, field.data.filename
