"""What the drawing functions share: a new figure, the level scale as an axis, labels."""

import math
import textwrap

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from maturity.charts import style

NAN = math.nan


def new_figure(width: float, height: float) -> Figure:
    """A figure with its own Agg canvas (no pyplot), laid out to fit its labels.

    Made at the PNG's resolution: laying it out then measures text with the same Agg
    renderer that saves the PNG, so the PNG reuses those measurements instead of taking
    them again at another resolution.
    """
    figure = Figure(figsize=(width, height), dpi=style.PNG_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def list_height(rows: int) -> float:
    """The height of a chart with one row per item."""
    return max(style.MIN_HEIGHT, style.HEADROOM + rows * style.ROW_HEIGHT)


def wrap(label: str, width: int = style.LABEL_WRAP) -> str:
    """A long label over several lines."""
    return "\n".join(textwrap.wrap(label, width, break_long_words=False)) or label


def level_ticks(level_names: tuple[str, ...]) -> tuple[list[int], list[str]]:
    """Tick positions 1..L and their labels ("2 Developing")."""
    positions = list(range(1, len(level_names) + 1))
    return positions, [f"{n} {name}" for n, name in zip(positions, level_names, strict=True)]


def level_x_axis(axes: Axes, level_names: tuple[str, ...], label: str = "Mean score") -> None:
    """Put the framework's level scale along the x axis."""
    positions, labels = level_ticks(level_names)
    axes.set_xlim(1, len(level_names))
    axes.set_xticks(positions, [wrap(text, 12) for text in labels])
    axes.set_xlabel(label)
    axes.grid(axis="x", color=style.LIGHT_GREY, linewidth=0.5)
    axes.set_axisbelow(True)


def level_y_axis(axes: Axes, level_names: tuple[str, ...], label: str = "Mean score") -> None:
    """Put the framework's level scale up the y axis."""
    positions, labels = level_ticks(level_names)
    axes.set_ylim(1, len(level_names))
    axes.set_yticks(positions, labels)
    axes.set_ylabel(label)
    axes.grid(axis="y", color=style.LIGHT_GREY, linewidth=0.5)
    axes.set_axisbelow(True)


def or_nan(values) -> list[float]:
    """Values with "not reported" as NaN, which matplotlib leaves as a gap."""
    return [NAN if value is None else value for value in values]


def legend_below(figure: Figure, axes: Axes, columns: int = 3) -> None:
    """The legend under the plot, where it never covers data."""
    handles, labels = axes.get_legend_handles_labels()
    if handles:
        figure.legend(handles, labels, loc="outside lower center", ncols=columns)
