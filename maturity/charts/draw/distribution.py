"""Level distribution: the share of the member's respondents at each level, stacked per
dimension."""

from matplotlib.figure import Figure

from maturity.charts import style
from maturity.charts.draw.common import legend_below, list_height, new_figure, wrap
from maturity.charts.draw.heatmap import level_colours
from maturity.charts.figures import DistributionChart

# Shares below this (in %) are not written inside their segment: the text would not fit.
MIN_LABELLED_SHARE = 8


def draw_distribution(chart: DistributionChart) -> Figure:
    """Draw one 100% stacked bar per dimension."""
    figure = new_figure(style.WIDTH, list_height(len(chart.dimensions)) + 0.4)
    axes = figure.add_subplot()
    colours = level_colours(len(chart.level_names))
    positions = list(range(len(chart.dimensions)))[::-1]
    shares = [chart.shares(counts) for counts in chart.counts]
    for level, name in enumerate(chart.level_names):
        lefts = [sum(row[:level]) for row in shares]
        widths = [row[level] for row in shares]
        axes.barh(
            positions,
            widths,
            left=lefts,
            height=0.7,
            color=colours[level],
            edgecolor="#FFFFFF",
            linewidth=0.8,
            label=f"{level + 1} {name}",
        )
        text_colour = style.BLACK if level < len(chart.level_names) / 2 else "#FFFFFF"
        for position, left, width in zip(positions, lefts, widths, strict=True):
            if width >= MIN_LABELLED_SHARE:
                axes.text(
                    left + width / 2,
                    position,
                    f"{width:.0f}%",
                    ha="center",
                    va="center",
                    color=text_colour,
                    fontsize=style.SMALL_FONT_SIZE,
                )
    axes.set_yticks(positions, [wrap(name, 30) for name in chart.dimensions])
    axes.set_xlim(0, 100)
    axes.set_xlabel("Share of respondents (%)")
    legend_below(figure, axes, columns=len(chart.level_names))
    return figure
