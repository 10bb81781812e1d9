"""Survey page forms, built from a section's items."""

import json

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovRadioInput,
    GovTextInput,
)
from wtforms import Field, HiddenField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, ValidationError

from maturity.frameworks.models import Item, ItemType, Level
from surveys.responses.models import DONT_KNOW
from surveys.responses.sections import Section

LIKERT_LABELS = [
    "Strongly disagree",
    "Disagree",
    "Neither agree nor disagree",
    "Agree",
    "Strongly agree",
]
DONT_KNOW_LABEL = "Don't know"
MAX_TEXT = 2000
MAX_NUMBER = 1_000_000_000


def field_name(item: Item) -> str:
    """The form field name of an item."""
    return f"item_{item.id}"


def _valid_choice(form, field) -> None:
    allowed = {choice.value for choice in field.choices}
    values = field.data if isinstance(field.data, list) else [field.data]
    if any(value not in allowed for value in values if value):
        raise ValidationError(f"Choose one of the options for '{field.label.text}'")


def _valid_number(form, field) -> None:
    if not field.data:
        return
    try:
        value = float(field.data.replace(",", ""))
    except ValueError:
        raise ValidationError(f"'{field.label.text}' must be a number, like 12") from None
    if not -MAX_NUMBER <= value <= MAX_NUMBER:
        raise ValidationError(
            f"'{field.label.text}' must be between -1,000,000,000 and 1,000,000,000"
        )


def _choices_for(item: Item, levels: list[Level]) -> list[SelectChoice]:
    if item.item_type == ItemType.LEVEL:
        choices = [
            SelectChoice(str(level.number), item.dimension.descriptor_for(level.number))
            for level in levels
        ]
    elif item.item_type == ItemType.LIKERT:
        choices = [SelectChoice(str(n), label) for n, label in enumerate(LIKERT_LABELS, start=1)]
    else:
        return [SelectChoice(o["value"], o["label"]) for o in item.options]
    return [*choices, SelectChoice(DONT_KNOW, DONT_KNOW_LABEL)]


def _field_for(item: Item, levels: list[Level]) -> Field:
    label, hint = item.text, item.help_text
    if item.item_type in (ItemType.LEVEL, ItemType.LIKERT, ItemType.SINGLE):
        return RadioField(
            label,
            description=hint,
            choices=_choices_for(item, levels),
            widget=GovRadioInput(),
            validators=[_valid_choice],
            validate_choice=False,
        )
    if item.item_type == ItemType.MULTI:
        return SelectMultipleField(
            label,
            description=hint or "Select all that apply",
            choices=_choices_for(item, levels),
            widget=GovCheckboxesInput(),
            validators=[_valid_choice],
            validate_choice=False,
        )
    if item.item_type == ItemType.NUMBER:
        return StringField(
            label, description=hint, widget=GovTextInput(), validators=[_valid_number]
        )
    return TextAreaField(
        label,
        description=hint,
        widget=GovCharacterCount(),
        validators=[
            Length(max=MAX_TEXT, message=f"'{label}' must be {MAX_TEXT} characters or fewer")
        ],
    )


class SectionForm(FlaskForm):
    """A survey page; fields are added per section by :func:`section_form_class`."""

    action = HiddenField()


def section_form_class(section: Section, levels: list[Level]) -> type[SectionForm]:
    """A form class with one field per item of ``section``."""
    fields = {field_name(item): _field_for(item, levels) for item in section.items}
    return type("SectionPageForm", (SectionForm,), fields)


def stored_value(item: Item, data) -> str | None:
    """A field's submitted data as the text an Answer stores (None: no answer)."""
    if item.item_type == ItemType.MULTI:
        return json.dumps(sorted(data)) if data else None
    if isinstance(data, str):
        data = data.strip()
    return data or None


def form_value(item: Item, stored: str | None):
    """An Answer's stored text as the data its field shows."""
    if stored is None:
        return [] if item.item_type == ItemType.MULTI else None
    if item.item_type == ItemType.MULTI:
        return json.loads(stored)
    return stored


class SubmitForm(FlaskForm):
    submission_key = HiddenField()


class StartForm(FlaskForm):
    """The start page's "Start now" button (creating a response is a POST)."""
