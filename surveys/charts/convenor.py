"""The convenor's charts for a round: every member (or one comparator group) on every
dimension. The convenor sees every member's name."""

from __future__ import annotations

from maturity.charts.figures import HeatmapChart, MomentumChart
from maturity.engine import benchmark
from surveys.charts.context import RoundContext
from surveys.charts.member import (
    MIN_MEMBERS_FOR_SPREAD,
    benchmark_bars,
    benchmark_chart,
    momentum_point,
    spread,
    too_few_caption,
)


def group_caption(context: RoundContext, tag: str | None) -> str:
    """Which members a chart covers."""
    who = "Every member" if tag is None else f"Members tagged “{tag}”"
    return f"{who}. {too_few_caption(context)}"


def heatmap_chart(context: RoundContext, members: list[int], tag: str | None):
    """Members × dimensions, each cell the member's level."""
    if not members:
        return None
    levels, means = [], []
    for org_id in members:
        rows = context.results.get(org_id, {})
        shown = [
            None if (row := rows.get(key)) is None or row.suppressed else row
            for key, _ in context.dimensions
        ]
        levels.append(tuple(None if row is None else row.level for row in shown))
        means.append(tuple(None if row is None else row.mean for row in shown))
    return HeatmapChart(
        title="Maturity level of every member on every dimension",
        level_names=context.level_names,
        members=tuple(context.names[org_id] for org_id in members),
        dimensions=tuple(name for _, name in context.dimensions),
        levels=tuple(levels),
        means=tuple(means),
        caption=group_caption(context, tag)
        + " Each cell shows the mean score; its colour is the level. A dash marks a dimension"
        " not reported.",
    )


def group_spread(context: RoundContext, key: str, members: list[int], tag: str | None):
    """The median and quartiles to draw: the stored benchmark for every member, the same
    statistics over the group's members for a comparator group."""
    if tag is None:
        return spread(context.benchmarks.get(key))
    means = {org_id: m for org_id in members if (m := context.mean(org_id, key)) is not None}
    if len(means) < MIN_MEMBERS_FOR_SPREAD:
        return None, None, None
    figures = benchmark(means)
    return figures.median, figures.q1, figures.q3


def convenor_benchmark(context: RoundContext, key: str, name: str, members, tag):
    """Every member of the group on one dimension, named, highest first."""
    labels = {org_id: context.names[org_id] for org_id in members}
    return benchmark_chart(
        context,
        key,
        name,
        benchmark_bars(context, key, labels, own_id=None),
        group_spread(context, key, members, tag),
        group_caption(context, tag) + " Each member counts once.",
    )


def convenor_momentum(context: RoundContext, key: str, name: str, members, tag):
    """Every member of the group on one dimension: level against change."""
    points = [
        momentum_point(context.results.get(org_id, {}).get(key), context.names[org_id])
        for org_id in members
    ]
    points = [p for p in points if p is not None]
    if not points:
        return None
    return MomentumChart(
        title=f"{name}: where each member stands and how it moved",
        point_label="Member",
        level_names=context.level_names,
        points=tuple(points),
        caption=group_caption(context, tag)
        + " Change since the previous round with its 95% confidence interval; members "
        "without a comparable previous round are not shown. This is not a league table.",
    )
