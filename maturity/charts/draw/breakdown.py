"""Breakdown by a respondent attribute (role band, perspective): one marker per group per
dimension, so gaps between groups stand out ("do frontline staff see it as leaders do?")."""

from matplotlib.figure import Figure

from maturity.charts import style
from maturity.charts.draw.common import (
    legend_below,
    level_x_axis,
    list_height,
    new_figure,
    wrap,
)
from maturity.charts.figures import BreakdownChart


def _spans(chart: BreakdownChart) -> list[tuple[float, float] | None]:
    spans = []
    for i in range(len(chart.dimensions)):
        shown = [g.means[i] for g in chart.groups if g.means[i] is not None]
        spans.append((min(shown), max(shown)) if len(shown) >= 2 else None)
    return spans


def draw_breakdown(chart: BreakdownChart) -> Figure:
    """Draw the groups' means on each dimension as a dot chart."""
    figure = new_figure(style.WIDTH, list_height(len(chart.dimensions)) + 0.4)
    axes = figure.add_subplot()
    positions = list(range(len(chart.dimensions)))[::-1]
    for position, span in zip(positions, _spans(chart), strict=True):
        if span is not None:
            axes.plot(span, (position, position), color=style.LIGHT_GREY, linewidth=2, zorder=1)
    for index, group in enumerate(chart.groups):
        shown = [(p, m) for p, m in zip(positions, group.means, strict=True) if m is not None]
        axes.scatter(
            [m for _, m in shown],
            [p for p, _ in shown],
            color=style.GROUP_COLOURS[index % len(style.GROUP_COLOURS)],
            marker=style.GROUP_MARKERS[index % len(style.GROUP_MARKERS)],
            s=46,
            zorder=2,
            label=wrap(group.label, 30),
        )
    axes.set_yticks(positions, [wrap(name, 30) for name in chart.dimensions])
    axes.set_ylim(-0.6, len(chart.dimensions) - 0.4)
    level_x_axis(axes, chart.level_names)
    legend_below(figure, axes)
    return figure
