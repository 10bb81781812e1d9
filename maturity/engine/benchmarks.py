"""Benchmarks across the members of a collaborative, each member's mean counting once (§3).

Pass only reportable members (``is_reportable``); a suppressed member neither appears in nor
shifts anyone's benchmark.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass

from maturity.engine.statistics import sorted_finite, summarise


@dataclass(frozen=True)
class Benchmark:
    """The spread of the members' means: median, quartiles, minimum and maximum."""

    n_members: int
    median: float
    q1: float
    q3: float
    minimum: float
    maximum: float


@dataclass(frozen=True)
class Rank:
    """A member's place: rank 1 is the highest mean; percentile is None for a lone member.

    ``percentile`` is the share of the *other* members whose mean is strictly lower, × 100:
    0 = no other member is lower, 100 = every other member is lower. Tied members are not
    counted as lower, so tied members share the same percentile as they share the same rank.
    """

    rank: int
    percentile: float | None


def benchmark(member_means: Mapping[int, float]) -> Benchmark:
    """Summarise the members' means: n, median, quartiles (numpy's linear), min and max."""
    values = sorted_finite(member_means.values())
    summary = summarise(values)
    return Benchmark(summary.n, summary.median, summary.q1, summary.q3, values[0], values[-1])


def ranks(member_means: Mapping[int, float]) -> dict[int, Rank]:
    """Rank every member (1 = highest; ties share the best rank, "1224") with its percentile."""
    if not member_means:
        return {}
    values = sorted_finite(member_means.values())
    n = len(values)
    result = {}
    for member, mean in member_means.items():
        higher = n - bisect_right(values, mean)
        lower = bisect_left(values, mean)
        percentile = 100 * lower / (n - 1) if n > 1 else None
        result[member] = Rank(rank=higher + 1, percentile=percentile)
    return result
