"""Momentum map: where each dimension (or member) stands against how it moved since the
previous round, with the 95% interval of the change — deliberately not a league table.

Points carry numbers, not names: a number is short enough to sit beside its point without
covering another, and the key beside the plot (and the "Key" column of the chart's table)
gives the name behind each number. Numbers are placed so that none overlaps another or a
point; one pushed away from its point is joined to it by a thin leader line.
"""

from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from maturity.charts import style
from maturity.charts.draw.common import level_y_axis, new_figure, wrap
from maturity.charts.figures import MomentumChart

HEIGHT = 5.2
KEY_WRAP = 28
MARKER_HALF_PT = 5.0
LABEL_FONT_SIZE = style.SMALL_FONT_SIZE
# Where a number may go, in points from its point: close first, then further out.
RINGS = (8.0, 16.0, 26.0, 38.0)
DIRECTIONS = ((1, 0.3), (1, -1.2), (-1.6, 0.3), (-1.6, -1.2), (0, 1), (0, -1.8), (1, 1), (-1, -1))


@dataclass(frozen=True)
class Box:
    """A rectangle in points on the plot: left, bottom, right, top."""

    left: float
    bottom: float
    right: float
    top: float

    def overlap(self, other: "Box") -> float:
        width = min(self.right, other.right) - max(self.left, other.left)
        height = min(self.top, other.top) - max(self.bottom, other.bottom)
        return max(width, 0.0) * max(height, 0.0)

    def inside(self, width: float, height: float) -> bool:
        return self.left >= 0 and self.bottom >= 0 and self.right <= width and self.top <= height


def _change_limit(chart: MomentumChart) -> float:
    furthest = max((max(abs(p.ci_low), abs(p.ci_high)) for p in chart.points), default=0.5)
    return max(0.5, furthest * 1.15)


def _plot_positions(figure: Figure, axes, chart: MomentumChart):
    """Each point's position, in points from the plot's lower-left corner, and the plot's
    size in points, once the figure is laid out (the numbers are left out of the layout,
    so saving it lays it out the same way)."""
    figure.draw_without_rendering()
    box = axes.get_window_extent()
    scale = 72 / figure.dpi
    positions = []
    for point in chart.points:
        x, y = axes.transData.transform((point.change, point.mean))
        positions.append(((x - box.x0) * scale, (y - box.y0) * scale))
    return positions, (box.width * scale, box.height * scale)


def place_numbers(
    positions: list[tuple[float, float]], plot: tuple[float, float]
) -> list[tuple[float, float]]:
    """An offset in points for each point's number, chosen greedily so that numbers overlap
    neither each other nor any point; where every place is taken, the least covered one."""
    plot_width, plot_height = plot
    markers = [
        Box(x - MARKER_HALF_PT, y - MARKER_HALF_PT, x + MARKER_HALF_PT, y + MARKER_HALF_PT)
        for x, y in positions
    ]
    taken: list[Box] = []
    offsets = []
    for number, (x, y) in enumerate(positions, start=1):
        width = len(str(number)) * LABEL_FONT_SIZE * 0.62 + 2
        height = LABEL_FONT_SIZE + 2
        best, best_cover = (RINGS[0], 0.0), None
        for ring in RINGS:
            for dx, dy in DIRECTIONS:
                offset = (dx * ring, dy * ring)
                left, bottom = x + offset[0], y + offset[1]
                box = Box(left, bottom, left + width, bottom + height)
                cover = sum(box.overlap(other) for other in taken + markers)
                if not box.inside(plot_width, plot_height):
                    cover += width * height
                if best_cover is None or cover < best_cover:
                    best, best_cover = offset, cover
                if cover == 0:
                    break
            if best_cover == 0:
                break
        offsets.append(best)
        taken.append(Box(x + best[0], y + best[1], x + best[0] + width, y + best[1] + height))
    return offsets


def draw_momentum(chart: MomentumChart) -> Figure:
    """Draw each point at (change, mean) with its interval as a horizontal bar, numbered,
    with the key of numbers beside the plot."""
    figure = new_figure(style.WIDTH, HEIGHT)
    axes = figure.add_subplot()
    axes.axvline(0, color=style.GREY, linewidth=1)
    key = []
    for number, point in enumerate(chart.points, start=1):
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
        label = f"{number}  {wrap(point.label, KEY_WRAP)}"
        key.append(Line2D([], [], color=colour, marker=marker, linestyle="", label=label))
    limit = _change_limit(chart)
    axes.set_xlim(-limit, limit)
    axes.set_xlabel("Change in mean score since the previous round (with 95% interval)")
    level_y_axis(axes, chart.level_names)
    if key:
        figure.legend(
            handles=key,
            loc="outside right upper",
            title="Key",
            ncols=1 if len(key) <= 16 else 2,
            alignment="left",
        )
    directions = [
        Line2D([], [], color=colour, marker=marker, linestyle="", label=direction.capitalize())
        for direction, (colour, marker) in style.DIRECTION_STYLES.items()
    ]
    figure.legend(handles=directions, loc="outside lower center", ncols=3)
    if chart.points:
        _number_points(figure, axes, chart)
    return figure


def _number_points(figure: Figure, axes, chart: MomentumChart) -> None:
    """Write each point's number where it covers no other number and no point."""
    positions, plot = _plot_positions(figure, axes, chart)
    offsets = place_numbers(positions, plot)
    for number, (point, offset) in enumerate(zip(chart.points, offsets, strict=True), start=1):
        far = max(abs(offset[0]), abs(offset[1])) > RINGS[0]
        axes.annotate(
            str(number),
            (point.change, point.mean),
            xytext=offset,
            textcoords="offset points",
            fontsize=LABEL_FONT_SIZE,
            fontweight="bold" if point.is_own else "normal",
            arrowprops={"arrowstyle": "-", "color": style.GREY, "linewidth": 0.6} if far else None,
            in_layout=False,
        )
