"""How a framework version is split into the pages of the survey."""

from dataclasses import dataclass

from maturity.frameworks.models import Dimension, FrameworkVersion, Item

ABOUT_YOU = "about-you"
ANYTHING_ELSE = "anything-else"


@dataclass(frozen=True)
class Section:
    """One page of the survey: its items, and the dimension it assesses if any."""

    key: str
    title: str
    summary: str
    items: tuple[Item, ...]
    dimension: Dimension | None = None


def sections_for(version: FrameworkVersion) -> list[Section]:
    """About you, then one page per dimension, then any remaining context questions."""
    attributes = tuple(i for i in version.context_items if i.is_attribute)
    others = tuple(i for i in version.context_items if not i.is_attribute)
    sections: list[Section] = []
    if attributes:
        sections.append(
            Section(ABOUT_YOU, "About you", "So results can be compared across roles.", attributes)
        )
    for dimension in version.dimensions:
        items = tuple(i for i in version.items if i.dimension_id == dimension.id)
        sections.append(Section(dimension.key, dimension.name, dimension.summary, items, dimension))
    if others:
        sections.append(Section(ANYTHING_ELSE, "Anything else", "", others))
    return sections


def section_by_key(sections: list[Section], key: str) -> Section | None:
    """The section called ``key``, if there is one."""
    return next((s for s in sections if s.key == key), None)


def next_section(sections: list[Section], key: str) -> Section | None:
    """The section after ``key`` (None after the last)."""
    keys = [s.key for s in sections]
    index = keys.index(key)
    return sections[index + 1] if index + 1 < len(sections) else None
