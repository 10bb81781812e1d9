"""Overall maturity from the dimension means, by a framework's scoring method (§3).

Adding a method is one function, one ``REGISTRY`` entry and one test; the names match the
framework's ``ScoringMethod`` values.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

OverallMethod = Callable[[Mapping[str, float], Mapping[str, float]], float]


def mean_of_dimensions(dimension_means: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """Return the weighted mean of the dimension means (a dimension without a weight weighs 1)."""
    pairs = [(mean, weights.get(key, 1.0)) for key, mean in dimension_means.items()]
    return math.fsum(mean * weight for mean, weight in pairs) / math.fsum(w for _, w in pairs)


def weakest_link(dimension_means: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """Return the lowest dimension mean: a place is as mature as its weakest dimension."""
    return min(dimension_means.values())


REGISTRY: dict[str, OverallMethod] = {
    "mean": mean_of_dimensions,
    "weakest_link": weakest_link,
}


def overall_score(
    method: str,
    dimension_means: Mapping[str, float],
    weights: Mapping[str, float] | None = None,
) -> float:
    """Combine the dimension means into one overall score by the named method."""
    if method not in REGISTRY:
        raise ValueError(f"unknown overall scoring method {method!r}; known: {sorted(REGISTRY)}")
    if not dimension_means:
        raise ValueError("no dimension means to combine")
    if not all(math.isfinite(mean) for mean in dimension_means.values()):
        raise ValueError("dimension means must be finite numbers")
    weights = weights or {}
    if not all(math.isfinite(weight) and weight > 0 for weight in weights.values()):
        raise ValueError("dimension weights must be positive numbers")
    return REGISTRY[method](dimension_means, weights)
