"""Descriptive statistics of a set of scores (§3), the same whatever order they arrive in."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from scipy import stats

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Summary:
    """n, mean, quartiles, sample sd and the 95% CI of the mean; sd and CI need n ≥ 2."""

    n: int
    mean: float
    median: float
    q1: float
    q3: float
    sd: float | None
    ci_low: float | None
    ci_high: float | None


def sorted_finite(scores: Iterable[float]) -> list[float]:
    """Return the scores in ascending order, refusing none at all, NaN or infinity."""
    values = sorted(float(score) for score in scores)
    if not values:
        raise ValueError("no scores to summarise")
    if not all(math.isfinite(value) for value in values):
        raise ValueError("scores must be finite numbers")
    return values


def sample_sd(values: Sequence[float], mean: float) -> float | None:
    """Return the sample standard deviation (n − 1), or None below two values."""
    if len(values) < 2:
        return None
    return math.sqrt(math.fsum((value - mean) ** 2 for value in values) / (len(values) - 1))


@lru_cache(maxsize=4096)
def t_critical(df: float) -> float:
    """The two-sided 95% Student t critical value (cached: a round needs thousands)."""
    return float(stats.t.ppf(0.5 + CONFIDENCE / 2, df))


def t_interval(centre: float, standard_error: float, df: float) -> tuple[float, float]:
    """Return the Student t confidence interval around ``centre``."""
    if standard_error == 0:
        return centre, centre
    half_width = t_critical(df) * standard_error
    return centre - half_width, centre + half_width


def quantile(values: Sequence[float], q: float) -> float:
    """The q-quantile of sorted values by linear interpolation, exactly as numpy's
    ``percentile(method="linear")`` computes it (without numpy's per-call overhead)."""
    position = (len(values) - 1) * q
    below = math.floor(position)
    fraction = position - below
    above = min(below + 1, len(values) - 1)
    low, high = values[below], values[above]
    difference = high - low
    if fraction >= 0.5:
        return high - difference * (1 - fraction)
    return low + difference * fraction


def summarise(scores: Sequence[float]) -> Summary:
    """Summarise scores: n, mean, median, quartiles (numpy's linear), sd and 95% CI of the mean."""
    values = sorted_finite(scores)
    n = len(values)
    mean = math.fsum(values) / n
    q1, median, q3 = (quantile(values, q) for q in (0.25, 0.5, 0.75))
    sd = sample_sd(values, mean)
    ci_low, ci_high = (None, None) if sd is None else t_interval(mean, sd / math.sqrt(n), n - 1)
    return Summary(n, mean, median, q1, q3, sd, ci_low, ci_high)


def level_distribution(levels_chosen: Iterable[int], levels: int | None = None) -> dict[int, int]:
    """Count each level chosen, in level order; with ``levels``, every level 1..L appears."""
    counts = Counter(levels_chosen)
    if levels is None:
        return dict(sorted(counts.items()))
    outside = sorted(level for level in counts if not 1 <= level <= levels)
    if outside:
        raise ValueError(f"levels outside 1..{levels}: {outside}")
    return {level: counts[level] for level in range(1, levels + 1)}
