"""A member's results for a round, computed from loaded inputs with the pure engine.

Nothing here reads or writes the database: ``inputs.py`` loads, ``store.py`` writes.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from maturity.engine import (
    Summary,
    breakdown,
    change_of,
    is_reportable,
    level_distribution,
    level_for,
    levels_for,
    overall_score,
    score_answer,
    summarise,
    summarise_counted,
)
from maturity.results.models import ALL_RESPONDENTS
from surveys.results.shape import FrameworkShape

NOT_ANSWERED = "not_answered"


@dataclass
class ParticipationInputs:
    """Everything needed to compute one member's results for one round."""

    participation_id: int
    round_id: int
    collaborative_id: int
    organisation_id: int
    answers_version: int
    k: int
    shape: FrameworkShape
    n_submitted: int
    # Per dimension: the submitted respondents' scores, and their response ids in the same
    # order (for breakdowns by respondent attribute).
    scores: dict[str, list[float]] = field(default_factory=dict)
    respondents: dict[str, list[int]] = field(default_factory=dict)
    attributes: dict[int, dict[str, str]] = field(default_factory=dict)
    item_counts: dict[int, Counter] = field(default_factory=dict)
    previous_scores: dict[str, list[float]] = field(default_factory=dict)


@dataclass
class ParticipationFigures:
    """The rows to store for one member."""

    overall: dict[str, Any]
    dimensions: list[dict[str, Any]]
    items: list[dict[str, Any]]


def figures(summary: Summary | None) -> dict[str, Any]:
    """A summary as result columns; a hidden group has no figures at all."""
    if summary is None:
        return {"n": 0, "suppressed": True}
    return {
        "n": summary.n,
        "mean": summary.mean,
        "median": summary.median,
        "q1": summary.q1,
        "q3": summary.q3,
        "sd": summary.sd,
        "ci_low": summary.ci_low,
        "ci_high": summary.ci_high,
        "suppressed": False,
    }


def _levels_of(scores: list[float], shape: FrameworkShape) -> dict[str, int]:
    chosen = levels_for(scores, shape.band_floors)
    return {str(level): n for level, n in level_distribution(chosen, shape.levels).items()}


def _dimension_row(
    inputs: ParticipationInputs, key: str, segment: str, scores: list[float]
) -> tuple[dict[str, Any], Summary | None]:
    reportable = is_reportable(len(scores), inputs.k)
    summary = summarise(scores) if reportable else None
    row = {"dimension_key": key, "segment": segment, **figures(summary)}
    if summary is not None:
        row["level"] = level_for(summary.mean, inputs.shape.band_floors)
        row["level_distribution"] = _levels_of(scores, inputs.shape)
    return row, summary


def _with_change(
    row: dict[str, Any], current: Summary | None, previous: list[float], k: int
) -> dict[str, Any]:
    if current is None or not is_reportable(len(previous), k):
        return row
    change = change_of(summarise(previous), current)
    row.update(
        change_difference=change.difference,
        change_ci_low=change.ci_low,
        change_ci_high=change.ci_high,
        change_direction=change.direction,
    )
    return row


def _segment_rows(inputs: ParticipationInputs, key: str) -> list[dict[str, Any]]:
    rows = []
    attribute_names = sorted(set(inputs.shape.attribute_keys.values()))
    if not attribute_names:
        return rows
    scored = dict(zip(inputs.respondents.get(key, []), inputs.scores.get(key, []), strict=True))
    for attribute in attribute_names:
        groups: dict[str, list[float]] = {}
        for response_id, score in scored.items():
            value = inputs.attributes.get(response_id, {}).get(attribute, NOT_ANSWERED)
            groups.setdefault(value, []).append(score)
        for value, summary in breakdown(groups, inputs.k).items():
            row = {"dimension_key": key, "segment": f"{attribute}={value}", **figures(summary)}
            if summary is not None:
                row["level"] = level_for(summary.mean, inputs.shape.band_floors)
                row["level_distribution"] = _levels_of(groups[value], inputs.shape)
            rows.append(row)
    return rows


def _item_row(inputs: ParticipationInputs, item, counts: Counter) -> dict[str, Any]:
    scored: Counter = Counter()
    for value, count in counts.items():
        score = score_answer(item, value, inputs.shape.levels)
        if score is not None:
            scored[score] += count
    reportable = is_reportable(sum(scored.values()), inputs.k)
    row = {
        "item_id": item.item_id,
        "lineage": inputs.shape.lineage_of[item.item_id],
        **figures(summarise_counted(scored) if reportable else None),
    }
    if reportable:
        row["distribution"] = dict(sorted(counts.items()))
    return row


def _overall(inputs: ParticipationInputs, dimension_rows: list[dict]) -> dict[str, Any]:
    means = {
        row["dimension_key"]: row["mean"]
        for row in dimension_rows
        if row["segment"] == ALL_RESPONDENTS and not row["suppressed"]
    }
    reportable = is_reportable(inputs.n_submitted, inputs.k) and len(means) == len(
        inputs.shape.dimension_keys
    )
    overall = {"n_submitted": inputs.n_submitted, "suppressed": not reportable}
    if reportable:
        score = overall_score(inputs.shape.method, means, inputs.shape.weights)
        overall.update(overall_mean=score, overall_level=level_for(score, inputs.shape.band_floors))
    else:
        overall.update(overall_mean=None, overall_level=None)
    return overall


def compute_participation(inputs: ParticipationInputs) -> ParticipationFigures:
    """Every result row for one member: dimensions (all and by segment), items, overall."""
    dimension_rows = []
    for key in inputs.shape.dimension_keys:
        scores = inputs.scores.get(key, [])
        row, summary = _dimension_row(inputs, key, ALL_RESPONDENTS, scores)
        previous = inputs.previous_scores.get(key, [])
        dimension_rows.append(_with_change(row, summary, previous, inputs.k))
        dimension_rows.extend(_segment_rows(inputs, key))
    item_rows = [
        _item_row(inputs, item, inputs.item_counts.get(item.item_id, Counter()))
        for item in inputs.shape.scored_items
    ]
    return ParticipationFigures(_overall(inputs, dimension_rows), dimension_rows, item_rows)
