"""Trend: the member's mean on each dimension across rounds, with the median of members;
one small panel per dimension on a shared scale."""

import math

from matplotlib.figure import Figure

from maturity.charts import style
from maturity.charts.draw.common import new_figure, or_nan, wrap
from maturity.charts.figures import TrendChart


def draw_trend(chart: TrendChart) -> Figure:
    """Draw one line panel per dimension across the rounds."""
    columns = min(style.PANEL_COLUMNS, len(chart.series))
    rows = math.ceil(len(chart.series) / columns)
    figure = new_figure(style.WIDTH, 0.8 + rows * style.PANEL_HEIGHT)
    panels = list(figure.subplots(rows, columns, sharex=True, sharey=True, squeeze=False).flat)
    xs = list(range(len(chart.rounds)))
    levels = len(chart.level_names)
    for axes, series in zip(panels, chart.series, strict=False):
        axes.plot(
            xs,
            or_nan(series.medians),
            color=style.MEDIAN_COLOUR,
            linestyle=style.MEDIAN_STYLE,
            linewidth=1,
            marker=".",
            label="Median of members",
        )
        axes.plot(
            xs,
            or_nan(series.member_means),
            color=style.OWN_COLOUR,
            linewidth=2,
            marker="o",
            label=chart.member_label,
        )
        axes.set_title(wrap(series.dimension, 28), fontsize=style.SMALL_FONT_SIZE)
        axes.set_ylim(1, levels)
        axes.set_yticks(range(1, levels + 1))
        axes.set_xticks(xs, [wrap(name, 10) for name in chart.rounds])
        axes.grid(axis="y", color=style.LIGHT_GREY, linewidth=0.5)
    for axes in panels[len(chart.series) :]:
        axes.set_visible(False)  # panels left over in the last row
    handles, labels = figure.axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=2)
    figure.supylabel(f"Mean score (1 {chart.level_names[0]} to {levels} {chart.level_names[-1]})")
    return figure
