"""A member's charts for a round, built from its context: each builder returns the chart's
figures, or ``None`` when there is nothing reportable to draw."""

from __future__ import annotations

from maturity.charts.figures import (
    BenchmarkBar,
    BenchmarkChart,
    BreakdownChart,
    BreakdownGroup,
    DistributionChart,
    MomentumChart,
    MomentumPoint,
    ProfileChart,
    TrendChart,
    TrendSeries,
)
from surveys.charts.context import (
    Attribute,
    ResultFigures,
    RoundContext,
    SpreadFigures,
    all_respondent_results,
    benchmarks_of,
    earlier_rounds,
)

# Fewer reported members than this and the collaborative's median and quartiles are not
# drawn: with one or two members they would show a peer's own figure.
MIN_MEMBERS_FOR_SPREAD = 3
NOT_ANSWERED = "not_answered"


def spread(row: SpreadFigures | None) -> tuple[float | None, float | None, float | None]:
    """A benchmark's (median, q1, q3), or nothing while too few members report."""
    if row is None or row.n_members < MIN_MEMBERS_FOR_SPREAD:
        return None, None, None
    return row.median, row.q1, row.q3


def too_few_caption(context: RoundContext, subject: str = "Members") -> str:
    """The caption line saying who is left out."""
    return f"{subject} with fewer than {context.k} respondents are not shown."


def profile_chart(context: RoundContext, organisation_id: int, label: str) -> ProfileChart | None:
    """The member's dimension means against the median and interquartile band."""
    means = tuple(context.mean(organisation_id, key) for key, _ in context.dimensions)
    if all(mean is None for mean in means):
        return None
    spreads = [spread(context.benchmarks.get(key)) for key, _ in context.dimensions]
    return ProfileChart(
        title=f"{label} against the other members",
        member_label=label,
        level_names=context.level_names,
        dimensions=tuple(name for _, name in context.dimensions),
        member_means=means,
        medians=tuple(s[0] for s in spreads),
        q1s=tuple(s[1] for s in spreads),
        q3s=tuple(s[2] for s in spreads),
        caption="The shaded band is where the middle half of members score. "
        + too_few_caption(context, "Dimensions"),
    )


def benchmark_bars(
    context: RoundContext, key: str, labels: dict[int, str], own_id: int | None
) -> tuple[BenchmarkBar, ...]:
    """Every reported member's mean on a dimension, highest first."""
    bars = [
        BenchmarkBar(labels[org_id], mean, is_own=org_id == own_id)
        for org_id in labels
        if (mean := context.mean(org_id, key)) is not None
    ]
    return tuple(sorted(bars, key=lambda bar: (-bar.mean, bar.label)))


def benchmark_chart(
    context: RoundContext,
    key: str,
    name: str,
    bars: tuple[BenchmarkBar, ...],
    figures: tuple[float | None, float | None, float | None],
    caption: str,
) -> BenchmarkChart | None:
    """One dimension's benchmark from its bars and the spread to draw."""
    if not bars:
        return None
    median, q1, q3 = figures
    return BenchmarkChart(
        title=f"{name}: every member's mean score",
        dimension=name,
        level_names=context.level_names,
        bars=bars,
        median=median,
        q1=q1,
        q3=q3,
        caption=caption,
    )


def member_benchmark_caption(context: RoundContext) -> str:
    """What a member needs to know about who is shown and how they are named."""
    return (
        "Each member counts once. "
        + too_few_caption(context)
        + " Members who have not agreed to be named to other members are shown as Member A,"
        " B and so on; the letters follow no order of names or results."
    )


def _series(key, name, round_ids, own_rows, benchmark_rows) -> TrendSeries:
    means, medians = [], []
    for round_id in round_ids:
        row = own_rows.get((round_id, key))
        means.append(None if row is None or row.suppressed else row.mean)
        medians.append(spread(benchmark_rows.get((round_id, key)))[0])
    return TrendSeries(name, tuple(means), tuple(medians))


def trend_chart(context: RoundContext, organisation_id: int, label: str) -> TrendChart | None:
    """The member's dimension means in each round so far, with the median of members."""
    rounds = earlier_rounds(context)
    own_rows: dict[tuple[int, str], ResultFigures] = {
        (row.round_id, row.dimension_key): row
        for row in all_respondent_results([r for r, _ in rounds], [organisation_id])
    }
    taken_part = {round_id for round_id, _ in own_rows}
    rounds = [(round_id, name) for round_id, name in rounds if round_id in taken_part]
    round_ids = [round_id for round_id, _ in rounds]
    benchmark_rows = benchmarks_of(round_ids)
    series = tuple(
        _series(key, name, round_ids, own_rows, benchmark_rows) for key, name in context.dimensions
    )
    reported_rounds = {
        i for s in series for i, mean in enumerate(s.member_means) if mean is not None
    }
    if len(reported_rounds) < 2:
        return None
    return TrendChart(
        title=f"{label} across rounds",
        member_label=label,
        level_names=context.level_names,
        rounds=tuple(name for _, name in rounds),
        series=series,
        caption="The dashed line is the median of members in each round. "
        + too_few_caption(context, "Rounds")
        + " Dimensions are compared across rounds by their key.",
    )


def distribution_chart(context: RoundContext, organisation_id: int) -> DistributionChart | None:
    """How the member's respondents spread over the levels on each dimension."""
    dimensions, counts = [], []
    for key, name in context.dimensions:
        row = context.results.get(organisation_id, {}).get(key)
        if row is None or row.suppressed or not row.level_distribution:
            continue
        dimensions.append(name)
        counts.append(
            tuple(
                int(row.level_distribution.get(str(n), 0))
                for n in range(1, len(context.level_names) + 1)
            )
        )
    if not dimensions:
        return None
    return DistributionChart(
        title="Share of respondents at each level",
        level_names=context.level_names,
        dimensions=tuple(dimensions),
        counts=tuple(counts),
        caption="Each respondent's dimension score falls in one level band. "
        + too_few_caption(context, "Dimensions"),
    )


def _group(attribute: Attribute, value: str, cells: dict, keys: list[str]):
    means = tuple(cells[(key, value)].mean if (key, value) in cells else None for key in keys)
    ns = tuple(cells[(key, value)].n if (key, value) in cells else None for key in keys)
    return BreakdownGroup(attribute.options.get(value, value), means, ns)


def breakdown_chart(
    context: RoundContext, attribute: Attribute, segments: list[ResultFigures]
) -> BreakdownChart | None:
    """The member's means by one respondent attribute; at least two groups to compare."""
    prefix = f"{attribute.key}="
    cells = {
        (row.dimension_key, row.segment.removeprefix(prefix)): row
        for row in segments
        if row.segment.startswith(prefix) and not row.suppressed and row.mean is not None
    }
    keys = [key for key, _ in context.dimensions]
    values = [v for v in attribute.options if v != NOT_ANSWERED]
    values += sorted({v for _, v in cells if v not in attribute.options and v != NOT_ANSWERED})
    groups = [_group(attribute, value, cells, keys) for value in values]
    groups = [g for g in groups if any(mean is not None for mean in g.means)]
    if len(groups) < 2:
        return None
    return BreakdownChart(
        title=f"Mean scores by {attribute.name.lower()}",
        attribute=attribute.name,
        level_names=context.level_names,
        dimensions=tuple(name for _, name in context.dimensions),
        groups=tuple(groups),
        caption=f"Groups with fewer than {context.k} respondents are not shown, nor any group "
        "whose figures would let a hidden one be worked out.",
    )


def momentum_point(row: ResultFigures | None, label: str, is_own: bool = False):
    """Where a result stands and how it moved, if a comparable previous round reported."""
    if row is None or row.suppressed or row.change_difference is None:
        return None
    if row.change_ci_low is None or row.change_ci_high is None:
        return None
    return MomentumPoint(
        label=label,
        mean=row.mean,
        change=row.change_difference,
        ci_low=row.change_ci_low,
        ci_high=row.change_ci_high,
        direction=row.change_direction or "steady",
        is_own=is_own,
    )


def momentum_chart(context: RoundContext, organisation_id: int, label: str):
    """The member's dimensions: level against change since the previous round."""
    rows = context.results.get(organisation_id, {})
    points = [momentum_point(rows.get(key), name) for key, name in context.dimensions]
    points = [p for p in points if p is not None]
    if not points:
        return None
    return MomentumChart(
        title=f"{label}: where each dimension stands and how it moved",
        point_label="Dimension",
        level_names=context.level_names,
        points=tuple(points),
        caption="Change since the previous round, with its 95% confidence interval: rising "
        "or falling only when the interval excludes zero. Dimensions whose questions changed, "
        f"or with fewer than {context.k} respondents in either round, are not shown.",
    )
