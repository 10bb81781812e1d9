"""A framework version as plain data, and the rules every version must keep.

The YAML importer builds a :class:`FrameworkSpec`, the browser editor's versions are turned
into one before publishing, and :func:`problems_in` holds the rules for both: the one place
where "what makes a valid framework" is written down.
"""

import re
from dataclasses import dataclass, field

SCORED_TYPES = ("level", "likert")
CHOICE_TYPES = ("single", "multi")
ITEM_TYPES = (*SCORED_TYPES, *CHOICE_TYPES, "text", "number")
SCORING_METHODS = ("mean", "weakest_link")
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,59}$")
MIN_LEVELS, MAX_LEVELS = 2, 7
NAME_MAX, LEVEL_NAME_MAX = 200, 60  # the widths of the name columns

Path = tuple[str | int, ...]


@dataclass
class OptionSpec:
    value: str
    label: str


@dataclass
class ItemSpec:
    key: str
    lineage: str
    type: str
    text: str
    help: str = ""
    reverse: bool = False
    attribute: bool = False
    required: bool = False
    options: list[OptionSpec] = field(default_factory=list)


@dataclass
class LevelSpec:
    number: int
    name: str
    summary: str = ""
    band_floor: float | None = None


@dataclass
class DimensionSpec:
    key: str
    name: str
    summary: str = ""
    weight: float = 1.0
    descriptors: dict[int, str] = field(default_factory=dict)
    items: list[ItemSpec] = field(default_factory=list)


@dataclass
class FrameworkSpec:
    key: str
    name: str
    description: str = ""
    scoring: str = "mean"
    levels: list[LevelSpec] = field(default_factory=list)
    dimensions: list[DimensionSpec] = field(default_factory=list)
    context: list[ItemSpec] = field(default_factory=list)


@dataclass(frozen=True)
class Problem:
    """One broken rule, with where it is in the spec."""

    path: Path
    message: str


def _key_problems(key: str, path: Path, what: str) -> list[Problem]:
    if not KEY_PATTERN.fullmatch(key):
        return [
            Problem(
                path,
                f"{what} key '{key}' must start with a letter and use only lower-case "
                "letters, digits, hyphens and underscores (60 characters at most)",
            )
        ]
    return []


def _level_problems(spec: FrameworkSpec) -> list[Problem]:
    problems: list[Problem] = []
    numbers = [level.number for level in spec.levels]
    if not MIN_LEVELS <= len(numbers) <= MAX_LEVELS:
        problems.append(
            Problem(("levels",), f"A framework needs {MIN_LEVELS} to {MAX_LEVELS} levels")
        )
    expected = list(range(1, len(numbers) + 1))
    if sorted(numbers) != expected:
        missing = sorted(set(expected) - set(numbers))
        detail = f"level {missing[0]} is missing" if missing else "numbers repeat"
        problems.append(
            Problem(("levels",), f"Levels must be numbered 1 to {len(numbers)}: {detail}")
        )
    floors = [level.band_floor for level in sorted(spec.levels, key=lambda lv: lv.number)]
    if all(f is not None for f in floors) and floors != sorted(floors):
        problems.append(Problem(("levels",), "Level band floors must rise with the level"))
    return problems


def item_problems(item: ItemSpec, path: Path, scored: bool) -> list[Problem]:
    """Every rule one item breaks on its own (duplicates across items are checked later)."""
    problems = _key_problems(item.key, (*path, "key"), "Item")
    problems += _key_problems(item.lineage, (*path, "lineage"), "Lineage")
    if item.type not in ITEM_TYPES:
        return [
            *problems,
            Problem(
                (*path, "type"), f"Unknown item type '{item.type}': use {', '.join(ITEM_TYPES)}"
            ),
        ]
    if scored and item.type not in SCORED_TYPES:
        problems.append(Problem((*path, "type"), "Items in a dimension must be level or likert"))
    if not scored and item.type in SCORED_TYPES:
        problems.append(Problem((*path, "type"), "Context items cannot be level or likert"))
    if item.reverse and item.type != "likert":
        problems.append(Problem((*path, "reverse"), "Only likert items can be reverse-scored"))
    if item.type in CHOICE_TYPES and len(item.options) < 2:
        problems.append(Problem((*path, "options"), "A choice item needs at least 2 options"))
    if item.type not in CHOICE_TYPES and item.options:
        problems.append(Problem((*path, "options"), "Only single and multi items have options"))
    values = [option.value for option in item.options]
    if len(values) != len(set(values)):
        problems.append(Problem((*path, "options"), "Option values must be unique"))
    if not item.text.strip():
        problems.append(Problem((*path, "text"), "Every item needs its question text"))
    return problems


def _length_problems(spec: FrameworkSpec) -> list[Problem]:
    problems: list[Problem] = []
    if len(spec.name) > NAME_MAX:
        problems.append(Problem(("name",), f"The name must be {NAME_MAX} characters or fewer"))
    for index, level in enumerate(spec.levels):
        if len(level.name) > LEVEL_NAME_MAX:
            problems.append(
                Problem(
                    ("levels", index, "name"),
                    f"Level names must be {LEVEL_NAME_MAX} characters or fewer",
                )
            )
    for index, dimension in enumerate(spec.dimensions):
        if len(dimension.name) > NAME_MAX:
            problems.append(
                Problem(
                    ("dimensions", index, "name"),
                    f"Dimension names must be {NAME_MAX} characters or fewer",
                )
            )
    return problems


def _dimension_problems(dimension: DimensionSpec, path: Path, levels: list[int]) -> list[Problem]:
    problems = _key_problems(dimension.key, (*path, "key"), "Dimension")
    for number in levels:
        if not dimension.descriptors.get(number, "").strip():
            problems.append(
                Problem(
                    (*path, "descriptors"),
                    f"Dimension '{dimension.key}' has no descriptor for level {number}",
                )
            )
    extra = sorted(set(dimension.descriptors) - set(levels))
    if extra:
        problems.append(
            Problem((*path, "descriptors", extra[0]), f"Descriptor for unknown level {extra[0]}")
        )
    if not dimension.items:
        problems.append(Problem((*path, "items"), f"Dimension '{dimension.key}' has no items"))
    if dimension.weight <= 0:
        problems.append(Problem((*path, "weight"), "Weight must be more than 0"))
    for index, item in enumerate(dimension.items):
        problems += item_problems(item, (*path, "items", index), scored=True)
    return problems


def _duplicate_problems(spec: FrameworkSpec) -> list[Problem]:
    problems: list[Problem] = []
    seen_dimensions: set[str] = set()
    seen_items: set[str] = set()
    seen_lineages: set[str] = set()
    for d_index, dimension in enumerate(spec.dimensions):
        if dimension.key in seen_dimensions:
            problems.append(
                Problem(
                    ("dimensions", d_index, "key"), f"Duplicate dimension key '{dimension.key}'"
                )
            )
        seen_dimensions.add(dimension.key)
    all_items = [
        (("dimensions", d, "items", i), item)
        for d, dimension in enumerate(spec.dimensions)
        for i, item in enumerate(dimension.items)
    ] + [(("context", i), item) for i, item in enumerate(spec.context)]
    for path, item in all_items:
        if item.key in seen_items:
            problems.append(Problem((*path, "key"), f"Duplicate item key '{item.key}'"))
        elif item.lineage in seen_lineages:
            problems.append(Problem((*path, "lineage"), f"Duplicate lineage key '{item.lineage}'"))
        seen_items.add(item.key)
        seen_lineages.add(item.lineage)
    return problems


def problems_in(spec: FrameworkSpec) -> list[Problem]:
    """Every rule ``spec`` breaks, in document order (empty when it is valid)."""
    problems = _key_problems(spec.key, ("key",), "Framework")
    if not spec.name.strip():
        problems.append(Problem(("name",), "The framework needs a name"))
    if spec.scoring not in SCORING_METHODS:
        problems.append(
            Problem(
                ("scoring",),
                f"Unknown scoring method '{spec.scoring}': use {', '.join(SCORING_METHODS)}",
            )
        )
    problems += _level_problems(spec) + _length_problems(spec)
    if not spec.dimensions:
        problems.append(Problem(("dimensions",), "A framework needs at least one dimension"))
    levels = [level.number for level in spec.levels]
    for index, dimension in enumerate(spec.dimensions):
        problems += _dimension_problems(dimension, ("dimensions", index), levels)
    for index, item in enumerate(spec.context):
        problems += item_problems(item, ("context", index), scored=False)
    return problems + _duplicate_problems(spec)


def default_band_floors(level_count: int) -> list[float]:
    """The default bands: a mean of m is at level floor(m)."""
    return [float(number) for number in range(1, level_count + 1)]
