"""Answers onto the framework's level scale, and each respondent's dimension scores (§3).

Inputs are plain values: the engine never sees a model. Answers are stored as text — "1".."L"
for a level item, "1".."5" for a likert item, ``dont_know`` for "don't know".
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

DONT_KNOW = "dont_know"
LIKERT_POINTS = 5

ItemKind = Literal["level", "likert"]
SCORED_KINDS: tuple[ItemKind, ...] = ("level", "likert")


@dataclass(frozen=True)
class ScoredItem:
    """A scored question: the dimension it feeds, its kind, and whether it is reverse-scored."""

    item_id: int
    dimension_key: str
    kind: ItemKind
    is_reversed: bool = False

    def __post_init__(self) -> None:
        if self.kind not in SCORED_KINDS:
            raise ValueError(f"not a scored item kind: {self.kind!r}")
        if self.is_reversed and self.kind != "likert":
            raise ValueError("only likert items can be reverse-scored")


def check_levels(levels: int) -> None:
    """Refuse a scale that has no levels."""
    if isinstance(levels, bool) or not isinstance(levels, int) or levels < 1:
        raise ValueError(f"a scale needs at least one level, not {levels!r}")


def _whole_number(value: str) -> int | None:
    text = value.strip()
    return int(text) if text.isascii() and text.isdigit() else None


def score_answer(item: ScoredItem, value: str, levels: int) -> float | None:
    """Place one answer on the 1..levels scale; None for don't know, blank or out of range."""
    check_levels(levels)
    number = _whole_number(value)
    if number is None:
        return None
    if item.kind == "level":
        return float(number) if 1 <= number <= levels else None
    if not 1 <= number <= LIKERT_POINTS:
        return None
    if item.is_reversed:
        number = LIKERT_POINTS + 1 - number
    return 1 + (number - 1) * (levels - 1) / (LIKERT_POINTS - 1)


def has_enough_answers(answered: int, offered: int) -> bool:
    """Whether at least half of a dimension's scored items were answered (and at least one)."""
    return answered > 0 and 2 * answered >= offered


def respondent_dimension_scores(
    items: Iterable[ScoredItem], answers: Mapping[int, str], levels: int
) -> dict[str, float]:
    """Score each dimension the respondent answered enough of: the mean of their scored answers.

    A dimension with fewer than half of its scored items answered is left out.
    """
    by_dimension: dict[str, list[float | None]] = {}
    for item in items:
        score = score_answer(item, answers.get(item.item_id, ""), levels)
        by_dimension.setdefault(item.dimension_key, []).append(score)
    result = {}
    for key, scores in by_dimension.items():
        answered = [score for score in scores if score is not None]
        if has_enough_answers(len(answered), len(scores)):
            # fsum is exact before the one division, so the mean does not depend on item order.
            result[key] = math.fsum(answered) / len(answered)
    return result
