"""What a coordinator's dashboard shows about their council in one round.

Every figure comes from the stored results. While the member's results are behind its
answers, the dashboard says so instead of showing figures that are about to change; a member
with fewer respondents than the collaborative's minimum group size shows no figure at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from maturity.db import db
from maturity.frameworks.models import Dimension
from maturity.results.models import OVERALL, DimensionResult, ParticipationResult
from surveys.dashboards.figures import (
    LevelName,
    benchmarks_of,
    level_descriptors,
    level_names,
    member_dimension_results,
)
from surveys.responses.counts import ResponseCounts, counts_by_participation
from surveys.results.status import results_are_current
from surveys.rounds.models import Participation, Round, RoundState

CHANGE_LABELS = {"rising": "Rising", "steady": "Steady", "falling": "Falling"}


@dataclass(frozen=True)
class HeadlineRow:
    """A member's result on one dimension, next to the collaborative's median."""

    dimension: str
    n: int
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    level: LevelName | None
    median: float | None
    change: str | None

    @property
    def is_reported(self) -> bool:
        return self.mean is not None


@dataclass(frozen=True)
class NextLevelRow:
    """What the next level of a dimension looks like (the framework's descriptor)."""

    dimension: str
    current: LevelName | None
    next: LevelName | None
    descriptor: str


@dataclass(frozen=True)
class HistoryRow:
    """A member's overall and per-dimension means in one round."""

    round_id: int
    round_name: str
    n_submitted: int
    overall_mean: float | None
    overall_level: LevelName | None
    dimension_means: list[float | None]


@dataclass
class MemberDashboard:
    """Everything the coordinator's dashboard and the member's PDF report show."""

    participation: Participation
    round: Round
    counts: ResponseCounts
    min_group_size: int
    is_updating: bool
    overall_mean: float | None = None
    overall_level: LevelName | None = None
    headline: list[HeadlineRow] = field(default_factory=list)
    next_levels: list[NextLevelRow] = field(default_factory=list)
    overall_median: float | None = None
    dimension_names: list[str] = field(default_factory=list)
    history: list[HistoryRow] = field(default_factory=list)

    @property
    def response_rate(self) -> float | None:
        return self.counts.rate(self.participation.eligible_staff)

    @property
    def is_reportable(self) -> bool:
        """Whether any figure about this member may be shown."""
        return not self.is_updating and any(row.is_reported for row in self.headline)


def _change(row: DimensionResult) -> str | None:
    if row.change_direction is None or row.change_difference is None:
        return None
    return f"{CHANGE_LABELS[row.change_direction]} ({row.change_difference:+.2f})"


def _headline_row(dimension: Dimension, row, levels, median) -> HeadlineRow:
    if row is None or row.suppressed:
        return HeadlineRow(dimension.name, 0, None, None, None, None, None, None)
    return HeadlineRow(
        dimension.name,
        row.n,
        row.mean,
        row.ci_low,
        row.ci_high,
        levels.get(row.level),
        median,
        _change(row),
    )


def _next_level_row(dimension: Dimension, row: HeadlineRow, levels, descriptors) -> NextLevelRow:
    current = row.level
    target = levels.get(current.number + 1) if current else None
    if current is not None and target is None:  # already at the top: keep it there
        text = descriptors.get((dimension.id, current.number), "")
        return NextLevelRow(dimension.name, current, None, text)
    if target is None:
        return NextLevelRow(dimension.name, None, None, "")
    text = descriptors.get((dimension.id, target.number), "")
    return NextLevelRow(dimension.name, current, target, text)


def _member_history(participation: Participation, dimension_keys: list[str]) -> list[HistoryRow]:
    rows = db.session.execute(
        sa.select(Round, Participation.id, ParticipationResult)
        .join(Participation, Participation.round_id == Round.id)
        .outerjoin(ParticipationResult, ParticipationResult.participation_id == Participation.id)
        .where(
            Participation.organisation_id == participation.organisation_id,
            Round.collaborative_id == participation.collaborative_id,
            Round.state != RoundState.DRAFT,
            Round.opens_at <= participation.round.opens_at,
        )
        .order_by(Round.opens_at, Round.id)
    ).all()
    results = member_dimension_results([pid for _round, pid, _result in rows])
    history = []
    for round_, pid, result in rows:
        by_key = results.get(pid, {})
        reported = result is not None and not result.suppressed
        history.append(
            HistoryRow(
                round_.id,
                round_.name,
                result.n_submitted if result else 0,
                result.overall_mean if reported else None,
                level_names(round_).get(result.overall_level) if reported else None,
                [_reported_mean(by_key.get(key)) for key in dimension_keys],
            )
        )
    return history


def _reported_mean(row: DimensionResult | None) -> float | None:
    return None if row is None or row.suppressed else row.mean


def _overall(participation: Participation) -> ParticipationResult | None:
    return db.session.scalar(
        sa.select(ParticipationResult).where(
            ParticipationResult.participation_id == participation.id
        )
    )


def member_dashboard(participation: Participation) -> MemberDashboard:
    """Read a member's results for one round, as the dashboard and the report show them."""
    round_ = participation.round
    counts = counts_by_participation([participation.id]).get(participation.id, ResponseCounts())
    dashboard = MemberDashboard(
        participation=participation,
        round=round_,
        counts=counts,
        min_group_size=round_.collaborative.min_group_size,
        is_updating=counts.submitted > 0 and not results_are_current(participation),
    )
    dimensions = list(round_.framework_version.dimensions)
    dashboard.dimension_names = [d.name for d in dimensions]
    history = _member_history(participation, [d.key for d in dimensions])
    if dashboard.is_updating:  # figures about to change are not shown, here or in the history
        dashboard.history = [row for row in history if row.round_id != round_.id]
        return dashboard
    dashboard.history = history
    levels = level_names(round_)
    results = member_dimension_results([participation.id]).get(participation.id, {})
    benchmarks = benchmarks_of(round_.id)
    descriptors = level_descriptors(round_)
    for dimension in dimensions:
        benchmark = benchmarks.get(dimension.key)
        median = benchmark.median if benchmark else None
        row = _headline_row(dimension, results.get(dimension.key), levels, median)
        dashboard.headline.append(row)
        dashboard.next_levels.append(_next_level_row(dimension, row, levels, descriptors))
    overall = _overall(participation)
    if overall is not None and not overall.suppressed:
        dashboard.overall_mean = overall.overall_mean
        dashboard.overall_level = levels.get(overall.overall_level)
    overall_benchmark = benchmarks.get(OVERALL)
    dashboard.overall_median = overall_benchmark.median if overall_benchmark else None
    return dashboard
