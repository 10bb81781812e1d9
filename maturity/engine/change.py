"""Change between a member's previous and current round: difference of means, Welch CI (§3)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from maturity.engine.statistics import Summary, summarise, t_interval

Direction = Literal["rising", "steady", "falling"]


@dataclass(frozen=True)
class Change:
    """current − previous mean with its 95% Welch CI; a direction only when the CI excludes 0.

    ``difference`` is None when either round has no scores; the CI is None when either has
    fewer than two (there is no variance to estimate), and the direction is then "steady".
    """

    difference: float | None
    ci_low: float | None
    ci_high: float | None
    direction: Direction


def welch_interval(previous: Summary, current: Summary) -> tuple[float, float]:
    """Return the 95% CI of current − previous mean, Welch–Satterthwaite degrees of freedom.

    When neither round varies at all the interval is the difference itself.
    """
    if previous.sd is None or current.sd is None:
        raise ValueError("a Welch interval needs at least two scores in each round")
    var_previous = previous.sd**2 / previous.n
    var_current = current.sd**2 / current.n
    standard_error = math.sqrt(var_previous + var_current)
    difference = current.mean - previous.mean
    if standard_error == 0:
        return difference, difference
    df = (var_previous + var_current) ** 2 / (
        var_previous**2 / (previous.n - 1) + var_current**2 / (current.n - 1)
    )
    return t_interval(difference, standard_error, df)


def direction_of(ci_low: float, ci_high: float) -> Direction:
    """Name the direction a CI shows: rising or falling only when it excludes zero."""
    if ci_low > 0:
        return "rising"
    if ci_high < 0:
        return "falling"
    return "steady"


def change_between(previous: Sequence[float], current: Sequence[float]) -> Change:
    """Compare two rounds' scores: difference of means, its 95% Welch CI and the direction."""
    if not previous or not current:
        return Change(None, None, None, "steady")
    return change_of(summarise(previous), summarise(current))


def change_of(before: Summary, after: Summary) -> Change:
    """``change_between`` for rounds already summarised (a recompute has the summaries)."""
    difference = after.mean - before.mean
    if before.n < 2 or after.n < 2:
        return Change(difference, None, None, "steady")
    ci_low, ci_high = welch_interval(before, after)
    return Change(difference, ci_low, ci_high, direction_of(ci_low, ci_high))
