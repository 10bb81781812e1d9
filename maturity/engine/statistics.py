"""Descriptive statistics of a set of scores (§3), the same whatever order they arrive in."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, repeat

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
    return _interpolated_quantile(values.__getitem__, len(values), q)


def _interpolated_quantile(at: Callable[[int], float], n: int, q: float) -> float:
    """The q-quantile of n sorted values, the i-th of which is ``at(i)``."""
    position = (n - 1) * q
    below = math.floor(position)
    fraction = position - below
    above = min(below + 1, n - 1)
    low, high = at(below), at(above)
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


def _counted_pairs(counts: Mapping[float, int]) -> list[tuple[float, int]]:
    if any(count < 0 for count in counts.values()):
        raise ValueError("counts cannot be negative")
    pairs = sorted((float(score), count) for score, count in counts.items() if count > 0)
    if not pairs:
        raise ValueError("no scores to summarise")
    if not all(math.isfinite(score) for score, _ in pairs):
        raise ValueError("scores must be finite numbers")
    return pairs


def _exact_sum(pairs: Iterable[tuple[float, int]]) -> float:
    """Σ count × value, rounded once: ``math.fsum`` of the values repeated (at C speed)."""
    return math.fsum(chain.from_iterable(repeat(value, count) for value, count in pairs))


def summarise_counted(counts: Mapping[float, int]) -> Summary:
    """``summarise`` of scores given as score -> how many times, without expanding them.

    Every figure is bit-for-bit what ``summarise`` returns for the expanded scores (the same
    exactly rounded sums, the same order statistics), without sorting or converting every
    score: an item's answers take a handful of values.
    """
    pairs = _counted_pairs(counts)
    n = sum(count for _, count in pairs)
    mean = _exact_sum(pairs) / n
    ends = list(accumulate_counts(pairs))
    values = [value for value, _ in pairs]

    def at(index: int) -> float:
        return values[bisect_right(ends, index)]

    q1, median, q3 = (_interpolated_quantile(at, n, q) for q in (0.25, 0.5, 0.75))
    sd = None
    if n >= 2:
        squares = _exact_sum(((value - mean) ** 2, count) for value, count in pairs)
        sd = math.sqrt(squares / (n - 1))
    ci_low, ci_high = (None, None) if sd is None else t_interval(mean, sd / math.sqrt(n), n - 1)
    return Summary(n, mean, median, q1, q3, sd, ci_low, ci_high)


def accumulate_counts(pairs: Sequence[tuple[float, int]]) -> Iterable[int]:
    """The index just past each value's run in the expanded, sorted scores."""
    total = 0
    for _, count in pairs:
        total += count
        yield total


def level_distribution(levels_chosen: Iterable[int], levels: int | None = None) -> dict[int, int]:
    """Count each level chosen, in level order; with ``levels``, every level 1..L appears."""
    counts = Counter(levels_chosen)
    if levels is None:
        return dict(sorted(counts.items()))
    outside = sorted(level for level in counts if not 1 <= level <= levels)
    if outside:
        raise ValueError(f"levels outside 1..{levels}: {outside}")
    return {level: counts[level] for level in range(1, levels + 1)}
