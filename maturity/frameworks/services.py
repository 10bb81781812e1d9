"""Frameworks: install, import, export, copy into a new draft, edit and publish versions."""

import copy
from functools import cache
from importlib.resources import files

import sqlalchemy as sa

from maturity.audit.services import record_event
from maturity.collaboratives.models import Collaborative
from maturity.db import db, utcnow
from maturity.errors import DomainError
from maturity.frameworks.models import (
    Dimension,
    Framework,
    FrameworkVersion,
    Item,
    ItemType,
    Level,
    LevelDescriptor,
    ScoringMethod,
    VersionStatus,
)
from maturity.frameworks.spec import (
    DimensionSpec,
    FrameworkSpec,
    ItemSpec,
    LevelSpec,
    OptionSpec,
    Problem,
    default_band_floors,
    problems_in,
)
from maturity.frameworks.yaml_io import read_framework_yaml


class VersionNotValid(DomainError):
    """A draft breaks the framework rules; ``problems`` lists every one."""

    def __init__(self, problems: list[Problem]):
        super().__init__(
            "This version cannot be published yet: " + "; ".join(p.message for p in problems[:5])
        )
        self.problems = problems


@cache
def _shipped_framework() -> FrameworkSpec:
    text = files("maturity.frameworks").joinpath("default_framework.yaml").read_text("utf-8")
    return read_framework_yaml(text)


def default_framework_spec() -> FrameworkSpec:
    """The framework shipped with Placewise (a copy the caller may change)."""
    return copy.deepcopy(_shipped_framework())


def _item_row(spec: ItemSpec, position: int, dimension: Dimension | None) -> Item:
    return Item(
        dimension=dimension,
        key=spec.key,
        lineage=spec.lineage,
        position=position,
        item_type=ItemType(spec.type),
        text=spec.text,
        help_text=spec.help,
        is_reversed=spec.reverse,
        is_attribute=spec.attribute,
        is_required=spec.required,
        options=[{"value": o.value, "label": o.label} for o in spec.options],
    )


def _fill_version(version: FrameworkVersion, spec: FrameworkSpec) -> None:
    floors = default_band_floors(len(spec.levels))
    for level in sorted(spec.levels, key=lambda lv: lv.number):
        floor = level.band_floor if level.band_floor is not None else floors[level.number - 1]
        version.levels.append(
            Level(number=level.number, name=level.name, summary=level.summary, band_floor=floor)
        )
    position = 0
    for d_index, dim_spec in enumerate(spec.dimensions):
        dimension = Dimension(
            key=dim_spec.key,
            position=d_index,
            name=dim_spec.name,
            summary=dim_spec.summary,
            weight=dim_spec.weight,
            descriptors=[
                LevelDescriptor(level_number=n, text=t)
                for n, t in sorted(dim_spec.descriptors.items())
            ],
        )
        version.dimensions.append(dimension)
        for item_spec in dim_spec.items:
            version.items.append(_item_row(item_spec, position, dimension))
            position += 1
    for item_spec in spec.context:
        version.items.append(_item_row(item_spec, position, None))
        position += 1


def _new_version(framework: Framework, spec: FrameworkSpec) -> FrameworkVersion:
    number = max((v.number for v in framework.versions), default=0) + 1
    version = FrameworkVersion(
        framework=framework,
        number=number,
        description=spec.description,
        scoring_method=ScoringMethod(spec.scoring),
    )
    _fill_version(version, spec)
    db.session.add(version)
    db.session.flush()
    return version


def _ensure_no_draft(framework: Framework) -> None:
    if any(v.is_draft for v in framework.versions):
        raise DomainError("This framework already has a draft version: edit that one")


def import_framework(
    collaborative: Collaborative, spec: FrameworkSpec, *, actor_id: int | None
) -> FrameworkVersion:
    """Add ``spec`` as a draft version: of the collaborative's framework with the same key,
    or of a new framework."""
    problems = problems_in(spec)
    if problems:
        raise DomainError(problems[0].message)
    framework = db.session.scalars(
        sa.select(Framework).where(
            Framework.collaborative_id == collaborative.id, Framework.key == spec.key
        )
    ).first()
    if framework is None:
        framework = Framework(collaborative_id=collaborative.id, key=spec.key, name=spec.name)
        db.session.add(framework)
    else:
        _ensure_no_draft(framework)
        framework.name = spec.name
    version = _new_version(framework, spec)
    record_event(
        "framework.imported",
        "framework_version",
        version.id,
        actor_id=actor_id,
        collaborative_id=collaborative.id,
        framework=spec.key,
        version=version.number,
    )
    return version


def install_default_framework(collaborative: Collaborative) -> FrameworkVersion:
    """Give a collaborative the shipped framework as a published version 1."""
    version = import_framework(collaborative, default_framework_spec(), actor_id=None)
    version.status = VersionStatus.PUBLISHED
    version.published_at = utcnow()
    return version


def _item_spec(item: Item) -> ItemSpec:
    return ItemSpec(
        key=item.key,
        lineage=item.lineage,
        type=item.item_type.value,
        text=item.text,
        help=item.help_text,
        reverse=item.is_reversed,
        attribute=item.is_attribute,
        required=item.is_required,
        options=[OptionSpec(o["value"], o["label"]) for o in item.options],
    )


def spec_from_version(version: FrameworkVersion) -> FrameworkSpec:
    """A version as plain data (for export, copying and validation)."""
    return FrameworkSpec(
        key=version.framework.key,
        name=version.framework.name,
        description=version.description,
        scoring=version.scoring_method.value,
        levels=[LevelSpec(lv.number, lv.name, lv.summary, lv.band_floor) for lv in version.levels],
        dimensions=[
            DimensionSpec(
                key=d.key,
                name=d.name,
                summary=d.summary,
                weight=d.weight,
                descriptors={ds.level_number: ds.text for ds in d.descriptors},
                items=[_item_spec(item) for item in version.items if item.dimension_id == d.id],
            )
            for d in version.dimensions
        ],
        context=[_item_spec(item) for item in version.context_items],
    )


def new_draft_from(version: FrameworkVersion, *, actor_id: int | None) -> FrameworkVersion:
    """Start the next version of a framework as an editable copy of ``version``."""
    framework = version.framework
    _ensure_no_draft(framework)
    draft = _new_version(framework, spec_from_version(version))
    record_event(
        "framework.draft_created",
        "framework_version",
        draft.id,
        actor_id=actor_id,
        collaborative_id=framework.collaborative_id,
        version=draft.number,
    )
    return draft


def publish_version(version: FrameworkVersion, *, actor_id: int | None) -> None:
    """Make a draft usable by rounds; from now on it cannot change."""
    ensure_editable(version)
    problems = problems_in(spec_from_version(version))
    if problems:
        raise VersionNotValid(problems)
    version.status = VersionStatus.PUBLISHED
    version.published_at = utcnow()
    record_event(
        "framework.published",
        "framework_version",
        version.id,
        actor_id=actor_id,
        collaborative_id=version.framework.collaborative_id,
        version=version.number,
    )


def ensure_editable(version: FrameworkVersion) -> None:
    """Refuse to change a published version."""
    if not version.is_draft:
        raise DomainError("Published versions cannot change. Create a new draft version instead")
