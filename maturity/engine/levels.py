"""A mean's maturity level, from the framework's band floors (§3)."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from itertools import pairwise

from maturity.engine.scoring import check_levels

# A mean this close below a floor reaches it: a mean of stored scores such as 7/3 and 8/3 can
# land one rounding error short of a whole number, and must not drop a level for that.
BAND_TOLERANCE = 1e-9


def default_band_floors(levels: int) -> list[float]:
    """Floors 1, 2, …, L: a mean's level is then its floor, clamped to 1..L."""
    check_levels(levels)
    return [float(number) for number in range(1, levels + 1)]


def check_band_floors(band_floors: Sequence[float]) -> None:
    """Refuse floors that are missing, not finite or not strictly increasing."""
    if not band_floors:
        raise ValueError("a scale needs at least one band floor")
    if not all(math.isfinite(floor) for floor in band_floors):
        raise ValueError("band floors must be finite numbers")
    if any(upper <= lower for lower, upper in pairwise(band_floors)):
        raise ValueError("band floors must increase from level to level")


def level_for(mean: float, band_floors: Sequence[float]) -> int:
    """Return the highest level whose floor the mean reaches (level 1 below every floor)."""
    return levels_for([mean], band_floors)[0]


def levels_for(means: Iterable[float], band_floors: Sequence[float]) -> list[int]:
    """Return ``level_for`` of every mean, checking the floors once (a round's level
    distributions place hundreds of thousands of respondent scores)."""
    check_band_floors(band_floors)
    levels = []
    for mean in means:
        if not math.isfinite(mean):
            raise ValueError(f"a level needs a finite mean, not {mean!r}")
        levels.append(max(1, bisect_right(band_floors, mean + BAND_TOLERANCE)))
    return levels
