"""Dimension benchmark: every reportable member's mean on one dimension, highest first,
the own member highlighted, with the collaborative's median and interquartile band."""

from matplotlib.figure import Figure

from maturity.charts import style
from maturity.charts.draw.common import legend_below, level_x_axis, list_height, new_figure
from maturity.charts.figures import BenchmarkChart


def draw_benchmark(chart: BenchmarkChart) -> Figure:
    """Draw the members' means on a dimension as sorted horizontal bars."""
    figure = new_figure(style.WIDTH, list_height(len(chart.bars)))
    axes = figure.add_subplot()
    if chart.q1 is not None and chart.q3 is not None:
        axes.axvspan(
            chart.q1,
            chart.q3,
            color=style.BAND_COLOUR,
            alpha=style.BAND_ALPHA,
            label="Middle half of members",
        )
    if chart.median is not None:
        axes.axvline(
            chart.median,
            color=style.MEDIAN_COLOUR,
            linestyle=style.MEDIAN_STYLE,
            linewidth=1.2,
            label="Median of members",
        )
    positions = list(range(len(chart.bars)))[::-1]  # highest at the top
    for position, bar in zip(positions, chart.bars, strict=True):
        axes.barh(
            position,
            bar.mean - 1,
            left=1,
            height=0.7,
            color=style.OWN_COLOUR if bar.is_own else style.PEER_COLOUR,
            hatch=style.OWN_HATCH if bar.is_own else None,
            edgecolor=style.BLACK if bar.is_own else style.PEER_COLOUR,
            linewidth=0.6,
        )
        axes.text(
            bar.mean + 0.03,
            position,
            f"{bar.mean:.2f}",
            va="center",
            fontsize=style.SMALL_FONT_SIZE,
            fontweight="bold" if bar.is_own else "normal",
        )
    axes.set_yticks(positions, [bar.label for bar in chart.bars])
    for label, bar in zip(axes.get_yticklabels(), chart.bars, strict=True):
        if bar.is_own:
            label.set_fontweight("bold")
    axes.set_ylim(-0.6, len(chart.bars) - 0.4)
    level_x_axis(axes, chart.level_names)
    legend_below(figure, axes, columns=2)
    return figure
