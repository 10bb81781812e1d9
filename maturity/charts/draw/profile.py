"""Member profile: a radar of the member's dimension means against the collaborative
median and interquartile band."""

import math

from matplotlib.figure import Figure

from maturity.charts import style
from maturity.charts.draw.common import legend_below, level_ticks, new_figure, or_nan, wrap
from maturity.charts.figures import ProfileChart


def _closed(values: list[float]) -> list[float]:
    return [*values, values[0]]


def draw_profile(chart: ProfileChart) -> Figure:
    """Draw the member's profile as a radar."""
    figure = new_figure(*style.RADAR_SIZE)
    axes = figure.add_subplot(projection="polar")
    count = len(chart.dimensions)
    angles = _closed([2 * math.pi * i / count for i in range(count)])
    has_band = all(v is not None for v in (*chart.q1s, *chart.q3s))
    if has_band:
        axes.fill_between(
            angles,
            _closed(list(chart.q1s)),
            _closed(list(chart.q3s)),
            color=style.BAND_COLOUR,
            alpha=style.BAND_ALPHA,
            label="Middle half of members",
        )
    if any(v is not None for v in chart.medians):
        axes.plot(
            angles,
            _closed(or_nan(chart.medians)),
            color=style.MEDIAN_COLOUR,
            linestyle=style.MEDIAN_STYLE,
            linewidth=1.2,
            label="Median of members",
        )
    axes.plot(
        angles,
        _closed(or_nan(chart.member_means)),
        color=style.OWN_COLOUR,
        linewidth=2.2,
        marker="o",
        label=chart.member_label,
    )
    axes.set_xticks(angles[:-1], [wrap(name, 16) for name in chart.dimensions])
    positions, labels = level_ticks(chart.level_names)
    axes.set_ylim(1, len(chart.level_names))
    axes.set_yticks(positions, labels, fontsize=style.SMALL_FONT_SIZE, color=style.GREY)
    axes.set_rlabel_position(90 / count)
    legend_below(figure, axes)
    return figure
