"""A framework version as the engine needs it."""

from dataclasses import dataclass, field

from maturity.engine import ScoredItem
from maturity.frameworks.models import FrameworkVersion, ItemType


@dataclass(frozen=True)
class FrameworkShape:
    """Scale, scored items and attributes of one framework version."""

    levels: int
    band_floors: list[float]
    method: str
    dimension_keys: list[str]
    weights: dict[str, float]
    scored_items: list[ScoredItem]
    lineage_of: dict[int, str] = field(default_factory=dict)
    attribute_keys: dict[int, str] = field(default_factory=dict)

    def lineages_of(self, dimension_key: str) -> frozenset[str]:
        """The item lineages that make up a dimension."""
        return frozenset(
            self.lineage_of[item.item_id]
            for item in self.scored_items
            if item.dimension_key == dimension_key
        )


def shape_of(version: FrameworkVersion) -> FrameworkShape:
    """Read what scoring needs from a framework version."""
    key_of = {d.id: d.key for d in version.dimensions}
    scored = [
        ScoredItem(item.id, key_of[item.dimension_id], item.item_type.value, item.is_reversed)
        for item in version.items
        if item.item_type in (ItemType.LEVEL, ItemType.LIKERT)
    ]
    return FrameworkShape(
        levels=len(version.levels),
        band_floors=[level.band_floor for level in version.levels],
        method=version.scoring_method.value,
        dimension_keys=[d.key for d in version.dimensions],
        weights={d.key: d.weight for d in version.dimensions},
        scored_items=scored,
        lineage_of={item.id: item.lineage for item in version.items},
        attribute_keys={item.id: item.key for item in version.items if item.is_attribute},
    )
