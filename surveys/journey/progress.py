"""What the task list and the check-your-answers page show."""

import json
from dataclasses import dataclass
from enum import StrEnum

from maturity.frameworks.models import Item, ItemType, Level
from surveys.journey.forms import DONT_KNOW_LABEL, LIKERT_LABELS
from surveys.responses.models import DONT_KNOW
from surveys.responses.sections import Section


class SectionStatus(StrEnum):
    NOT_STARTED = "Not yet started"
    IN_PROGRESS = "In progress"
    COMPLETED = "Completed"


@dataclass(frozen=True)
class SectionProgress:
    section: Section
    status: SectionStatus


@dataclass(frozen=True)
class AnswerRow:
    item: Item
    answer: str


@dataclass(frozen=True)
class SectionSummary:
    section: Section
    rows: list[AnswerRow]


def section_statuses(sections: list[Section], answers: dict[int, str]) -> list[SectionProgress]:
    """Each section with whether it is untouched, part-answered or fully answered."""
    progress = []
    for section in sections:
        answered = sum(1 for item in section.items if item.id in answers)
        if answered == 0:
            status = SectionStatus.NOT_STARTED
        elif answered < len(section.items):
            status = SectionStatus.IN_PROGRESS
        else:
            status = SectionStatus.COMPLETED
        progress.append(SectionProgress(section, status))
    return progress


def answer_label(item: Item, value: str | None, levels: list[Level]) -> str:
    """How an answer reads back to the person who gave it."""
    if value is None:
        return "Not answered"
    if value == DONT_KNOW:
        return DONT_KNOW_LABEL
    if item.item_type == ItemType.LEVEL:
        return item.dimension.descriptor_for(int(value)) if value.isdigit() else value
    if item.item_type == ItemType.LIKERT:
        return LIKERT_LABELS[int(value) - 1] if value in {"1", "2", "3", "4", "5"} else value
    if item.item_type == ItemType.SINGLE:
        return item.option_labels.get(value, value)
    if item.item_type == ItemType.MULTI:
        return ", ".join(item.option_labels.get(v, v) for v in json.loads(value))
    return value


def summary_rows(
    sections: list[Section], answers: dict[int, str], levels: list[Level]
) -> list[SectionSummary]:
    """Every question with its answer, section by section."""
    return [
        SectionSummary(
            section,
            [
                AnswerRow(item, answer_label(item, answers.get(item.id), levels))
                for item in section.items
            ],
        )
        for section in sections
    ]
