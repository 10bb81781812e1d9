"""Edit a draft framework version: its settings, levels, dimensions and items.

Every operation first refuses published versions, then changes rows, keeps positions
contiguous, flushes and records an audit event; the caller commits. Per-item rules come
from spec.py; whether the whole version may be published is :func:`version_problems`.
"""

from typing import Any

from maturity.audit.services import record_event
from maturity.db import db
from maturity.errors import DomainError
from maturity.frameworks.models import (
    Dimension,
    FrameworkVersion,
    Item,
    ItemType,
    Level,
    LevelDescriptor,
    ScoringMethod,
)
from maturity.frameworks.services import ensure_editable, spec_from_version
from maturity.frameworks.spec import (
    DimensionSpec,
    ItemSpec,
    LevelSpec,
    Problem,
    item_problems,
    problems_in,
)

# Where a rule broken by one item shows on the item form.
ITEM_FIELDS = {"key": "key", "lineage": "lineage", "type": "item_type", "text": "text"}
ITEM_FIELDS |= {"reverse": "reverse", "options": "options"}
# The rules a dimension's own fields must keep while drafting; missing descriptors and
# items only stop publishing.
DIMENSION_FIELDS = {("key",), ("name",), ("weight",)}


class InvalidChange(DomainError):
    """A change that breaks one or more rules; ``errors`` has one DomainError per rule."""

    def __init__(self, errors: list[DomainError]):
        super().__init__(errors[0].message, field=errors[0].field)
        self.errors = errors


def version_problems(version: FrameworkVersion) -> list[Problem]:
    """Every rule the version breaks (what stops it being published)."""
    return problems_in(spec_from_version(version))


def _record(version: FrameworkVersion, action: str, actor_id: int | None, **details: Any) -> None:
    record_event(
        f"framework.{action}",
        "framework_version",
        version.id,
        actor_id=actor_id,
        collaborative_id=version.framework.collaborative_id,
        version=version.number,
        **details,
    )


def _settle(version: FrameworkVersion) -> None:
    """Renumber dimensions and items contiguously, flush, and reload the collections."""
    dimensions = sorted(version.dimensions, key=lambda d: d.position)
    for index, dimension in enumerate(dimensions):
        dimension.position = index
    rank = {id(dimension): index for index, dimension in enumerate(dimensions)}
    items = sorted(
        version.items, key=lambda it: (rank.get(id(it.dimension), len(dimensions)), it.position)
    )
    for index, item in enumerate(items):
        item.position = index
    db.session.flush()
    db.session.expire(version, ["levels", "dimensions", "items"])
    for dimension in dimensions:
        db.session.expire(dimension, ["items", "descriptors"])


def update_settings(
    version: FrameworkVersion, *, description: str, scoring: ScoringMethod, actor_id: int | None
) -> None:
    """Change a draft's description and scoring method."""
    ensure_editable(version)
    version.description = description
    version.scoring_method = scoring
    db.session.flush()
    _record(version, "settings_changed", actor_id, scoring=scoring.value)


def _level_errors(version: FrameworkVersion, levels: list[LevelSpec]) -> list[DomainError]:
    candidate = spec_from_version(version)
    candidate.levels = levels
    return [
        DomainError(problem.message)
        for problem in problems_in(candidate)
        if problem.path[:1] == ("levels",)
    ]


def update_levels(
    version: FrameworkVersion, levels: list[LevelSpec], *, actor_id: int | None
) -> None:
    """Rename and re-band a draft's levels; ``levels`` has one entry per level, in order."""
    ensure_editable(version)
    if [lv.number for lv in levels] != [lv.number for lv in version.levels]:
        raise DomainError("The levels changed while you were editing them: check and try again")
    errors = _level_errors(version, levels)
    if errors:
        raise InvalidChange(errors)
    for level, change in zip(version.levels, levels, strict=True):
        level.name, level.summary = change.name, change.summary
        level.band_floor = change.band_floor
    db.session.flush()
    _record(version, "levels_changed", actor_id)


def add_level(version: FrameworkVersion, change: LevelSpec, *, actor_id: int | None) -> Level:
    """Add a level above the highest one (its descriptors are written afterwards)."""
    ensure_editable(version)
    number = len(version.levels) + 1
    change = LevelSpec(number, change.name, change.summary, change.band_floor)
    errors = _level_errors(version, [*spec_from_version(version).levels, change])
    if errors:
        raise InvalidChange(errors)
    level = Level(
        number=number, name=change.name, summary=change.summary, band_floor=change.band_floor
    )
    version.levels.append(level)
    db.session.flush()
    _record(version, "level_added", actor_id, level=number)
    return level


def remove_last_level(version: FrameworkVersion, *, actor_id: int | None) -> int:
    """Remove the highest level and every descriptor written for it; return its number."""
    ensure_editable(version)
    errors = _level_errors(version, spec_from_version(version).levels[:-1])
    if errors:
        raise InvalidChange(errors)
    level = version.levels[-1]
    number = level.number
    for dimension in version.dimensions:
        for descriptor in [d for d in dimension.descriptors if d.level_number == number]:
            dimension.descriptors.remove(descriptor)
    version.levels.remove(level)
    _settle(version)
    _record(version, "level_removed", actor_id, level=number)
    return number


def _dimension_errors(
    version: FrameworkVersion, change: DimensionSpec, dimension: Dimension | None
) -> list[DomainError]:
    others = [d for d in version.dimensions if d is not dimension]
    if any(d.key == change.key for d in others):
        message = f"Another dimension in this version already has the key '{change.key}'"
        return [DomainError(message, field="key")]
    candidate = spec_from_version(version)
    index = len(others) if dimension is None else version.dimensions.index(dimension)
    candidate.dimensions[index:index] = [change]
    if dimension is not None:
        change.items = candidate.dimensions.pop(index + 1).items
    return [
        DomainError(p.message, field=str(p.path[2]))
        for p in problems_in(candidate)
        if p.path[:2] == ("dimensions", index) and p.path[2:3] in DIMENSION_FIELDS
    ]


def _write_descriptors(dimension: Dimension, descriptors: dict[int, str]) -> None:
    existing = {d.level_number: d for d in dimension.descriptors}
    for number, text in descriptors.items():
        if text.strip() and number in existing:
            existing[number].text = text.strip()
        elif text.strip():
            dimension.descriptors.append(LevelDescriptor(level_number=number, text=text.strip()))
        elif number in existing:
            dimension.descriptors.remove(existing[number])


def create_dimension(
    version: FrameworkVersion, change: DimensionSpec, *, actor_id: int | None
) -> Dimension:
    """Add a dimension after the last one."""
    ensure_editable(version)
    errors = _dimension_errors(version, change, None)
    if errors:
        raise InvalidChange(errors)
    dimension = Dimension(
        key=change.key,
        position=len(version.dimensions),
        name=change.name,
        summary=change.summary,
        weight=change.weight,
    )
    _write_descriptors(dimension, change.descriptors)
    version.dimensions.append(dimension)
    db.session.flush()
    _record(version, "dimension_created", actor_id, dimension=change.key)
    return dimension


def update_dimension(dimension: Dimension, change: DimensionSpec, *, actor_id: int | None) -> None:
    """Change a dimension's key, wording, weight and level descriptors."""
    version = dimension.version
    ensure_editable(version)
    errors = _dimension_errors(version, change, dimension)
    if errors:
        raise InvalidChange(errors)
    dimension.key, dimension.name = change.key, change.name
    dimension.summary, dimension.weight = change.summary, change.weight
    _write_descriptors(dimension, change.descriptors)
    db.session.flush()
    _record(version, "dimension_changed", actor_id, dimension=change.key)


def _swap_positions(things: list, index: int, step: int) -> bool:
    target = index + step
    if step not in (-1, 1) or not 0 <= target < len(things):
        return False
    things[index].position, things[target].position = (
        things[target].position,
        things[index].position,
    )
    return True


def move_dimension(dimension: Dimension, step: int, *, actor_id: int | None) -> None:
    """Move a dimension one place up (step -1) or down (step 1); its items move with it."""
    version = dimension.version
    ensure_editable(version)
    dimensions = sorted(version.dimensions, key=lambda d: d.position)
    if _swap_positions(dimensions, dimensions.index(dimension), step):
        _settle(version)
        _record(version, "dimension_moved", actor_id, dimension=dimension.key, step=step)


def delete_dimension(dimension: Dimension, *, actor_id: int | None) -> None:
    """Delete a dimension with its descriptors and items."""
    version = dimension.version
    ensure_editable(version)
    key = dimension.key
    for item in [it for it in version.items if it.dimension is dimension]:
        version.items.remove(item)
    version.dimensions.remove(dimension)
    _settle(version)
    _record(version, "dimension_deleted", actor_id, dimension=key)


def _item_errors(
    version: FrameworkVersion, change: ItemSpec, scored: bool, own_id: int | None
) -> list[DomainError]:
    errors = [
        DomainError(p.message, field=ITEM_FIELDS.get(str(p.path[-1])))
        for p in item_problems(change, (), scored=scored)
    ]
    siblings = [it for it in version.items if it.id != own_id]
    if any(it.key == change.key for it in siblings):
        errors.append(
            DomainError(
                f"Another question in this version already has the key '{change.key}'",
                field="key",
            )
        )
    elif any(it.lineage == change.lineage for it in siblings):
        errors.append(
            DomainError(
                f"Another question in this version already has the lineage '{change.lineage}'",
                field="lineage",
            )
        )
    return errors


def _apply_item(item: Item, change: ItemSpec) -> None:
    item.key, item.lineage = change.key, change.lineage
    item.item_type = ItemType(change.type)
    item.text, item.help_text = change.text, change.help
    item.is_reversed, item.is_attribute = change.reverse, change.attribute
    item.is_required = change.required
    item.options = [{"value": o.value, "label": o.label} for o in change.options]


def create_item(
    version: FrameworkVersion,
    dimension: Dimension | None,
    change: ItemSpec,
    *,
    actor_id: int | None,
) -> Item:
    """Add a question at the end of a dimension, or of the context questions (no dimension)."""
    ensure_editable(version)
    errors = _item_errors(version, change, dimension is not None, None)
    if errors:
        raise InvalidChange(errors)
    item = Item(dimension=dimension, position=len(version.items))
    _apply_item(item, change)
    version.items.append(item)
    _settle(version)
    _record(version, "item_created", actor_id, item=change.key)
    return item


def update_item(item: Item, change: ItemSpec, *, actor_id: int | None) -> None:
    """Change a question; it stays in its dimension (or among the context questions)."""
    version = item.version
    ensure_editable(version)
    errors = _item_errors(version, change, item.dimension_id is not None, item.id)
    if errors:
        raise InvalidChange(errors)
    _apply_item(item, change)
    db.session.flush()
    _record(version, "item_changed", actor_id, item=change.key)


def _group(item: Item) -> tuple[int | None, bool]:
    # Context questions are shown in two groups: respondent attributes, then the others.
    return item.dimension_id, item.dimension_id is None and item.is_attribute


def move_item(item: Item, step: int, *, actor_id: int | None) -> None:
    """Move a question one place up (step -1) or down (step 1) within its group."""
    version = item.version
    ensure_editable(version)
    group = sorted(
        (it for it in version.items if _group(it) == _group(item)), key=lambda it: it.position
    )
    if _swap_positions(group, group.index(item), step):
        _settle(version)
        _record(version, "item_moved", actor_id, item=item.key, step=step)


def delete_item(item: Item, *, actor_id: int | None) -> None:
    """Delete a question."""
    version = item.version
    ensure_editable(version)
    key = item.key
    version.items.remove(item)
    _settle(version)
    _record(version, "item_deleted", actor_id, item=key)
