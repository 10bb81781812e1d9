"""Momentum map: where each dimension (or member) stands against how it moved since the
previous round, with the 95% interval of the change — deliberately not a league table."""

from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from maturity.charts import style
from maturity.charts.draw.common import level_y_axis, new_figure, wrap
from maturity.charts.figures import MomentumChart

HEIGHT = 5.2


def _change_limit(chart: MomentumChart) -> float:
    furthest = max((max(abs(p.ci_low), abs(p.ci_high)) for p in chart.points), default=0.5)
    return max(0.5, furthest * 1.15)


def draw_momentum(chart: MomentumChart) -> Figure:
    """Draw each point at (change, mean) with its interval as a horizontal bar."""
    figure = new_figure(style.WIDTH, HEIGHT)
    axes = figure.add_subplot()
    axes.axvline(0, color=style.GREY, linewidth=1)
    for index, point in enumerate(chart.points):
        colour, marker = style.DIRECTION_STYLES.get(point.direction, (style.GREY, "o"))
        axes.errorbar(
            point.change,
            point.mean,
            xerr=[[point.change - point.ci_low], [point.ci_high - point.change]],
            fmt=marker,
            color=colour,
            ecolor=colour,
            elinewidth=1.2,
            capsize=3,
            markersize=9 if point.is_own else 6,
            markeredgecolor=style.BLACK if point.is_own else colour,
        )
        axes.annotate(
            wrap(point.label, 22),
            (point.change, point.mean),
            xytext=(6, 4 if index % 2 == 0 else -12),  # alternate sides: fewer overlaps
            textcoords="offset points",
            fontsize=style.SMALL_FONT_SIZE - 1,
            fontweight="bold" if point.is_own else "normal",
        )
    limit = _change_limit(chart)
    axes.set_xlim(-limit, limit)
    axes.set_xlabel("Change in mean score since the previous round (with 95% interval)")
    level_y_axis(axes, chart.level_names)
    keys = [
        Line2D([], [], color=colour, marker=marker, linestyle="", label=direction.capitalize())
        for direction, (colour, marker) in style.DIRECTION_STYLES.items()
    ]
    figure.legend(handles=keys, loc="outside lower center", ncols=3)
    return figure
