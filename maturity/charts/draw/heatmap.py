"""Convenor heatmap: members × dimensions, each cell coloured by level and labelled with the
mean score behind it."""

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from maturity.charts import style
from maturity.charts.draw.common import list_height, new_figure, or_nan, wrap
from maturity.charts.figures import HeatmapChart


def level_colours(levels: int) -> list:
    """One colour per level, light to dark along the colour-blind-safe map."""
    ramp = colormaps[style.LEVEL_COLOURMAP].reversed()
    return [ramp(0.1 + 0.8 * i / max(levels - 1, 1)) for i in range(levels)]


def _text_colour(rgba) -> str:
    red, green, blue = rgba[:3]
    return style.BLACK if 0.299 * red + 0.587 * green + 0.114 * blue > 0.5 else "#FFFFFF"


def draw_heatmap(chart: HeatmapChart) -> Figure:
    """Draw the members' levels as a grid of coloured cells, each labelled with its mean."""
    levels = len(chart.level_names)
    figure = new_figure(style.WIDTH + 1, list_height(len(chart.members)) + 1.2)
    axes = figure.add_subplot()
    colours = level_colours(levels)
    colourmap = ListedColormap(colours).with_extremes(bad=style.NOT_REPORTED_COLOUR)
    grid = np.ma.masked_invalid(np.array([or_nan(row) for row in chart.levels], dtype=float))
    norm = BoundaryNorm([n + 0.5 for n in range(levels + 1)], levels)
    axes.imshow(grid, cmap=colourmap, norm=norm, aspect="auto")
    for row, (member_levels, member_means) in enumerate(
        zip(chart.levels, chart.means, strict=True)
    ):
        for column, (level, mean) in enumerate(zip(member_levels, member_means, strict=True)):
            text = chart.cell_text(None if level is None else mean)
            colour = style.BLACK if level is None else _text_colour(colours[level - 1])
            axes.text(column, row, text, ha="center", va="center", color=colour)
    axes.set_xticks(
        range(len(chart.dimensions)),
        [wrap(name, 12) for name in chart.dimensions],
        fontsize=style.SMALL_FONT_SIZE,
    )
    axes.xaxis.tick_top()  # column heads above the grid, like a table's
    axes.set_yticks(range(len(chart.members)), chart.members)
    axes.tick_params(length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
    legend = [
        Patch(facecolor=colours[n], edgecolor=style.GREY, label=f"{n + 1} {name}")
        for n, name in enumerate(chart.level_names)
    ]
    legend.append(
        Patch(facecolor=style.NOT_REPORTED_COLOUR, edgecolor=style.GREY, label="– Not reported")
    )
    figure.legend(handles=legend, loc="outside lower center", ncols=min(len(legend), 5))
    return figure
