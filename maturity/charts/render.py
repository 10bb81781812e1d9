"""The registry of chart kinds and rendering to SVG and PNG bytes. Workers only: this is
the one module that brings in matplotlib (pages use ``maturity.charts.figures``).

Adding a kind is one dataclass in ``figures``, one drawing function in ``draw/`` and one
entry here.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import matplotlib
from matplotlib.figure import Figure

from maturity.charts import style
from maturity.charts.draw.benchmark import draw_benchmark
from maturity.charts.draw.breakdown import draw_breakdown
from maturity.charts.draw.distribution import draw_distribution
from maturity.charts.draw.heatmap import draw_heatmap
from maturity.charts.draw.momentum import draw_momentum
from maturity.charts.draw.profile import draw_profile
from maturity.charts.draw.trend import draw_trend
from maturity.charts.figures import Chart

matplotlib.use("Agg")

RENDERERS: dict[str, Callable[..., Figure]] = {
    "profile": draw_profile,
    "benchmark": draw_benchmark,
    "trend": draw_trend,
    "heatmap": draw_heatmap,
    "distribution": draw_distribution,
    "breakdown": draw_breakdown,
    "momentum": draw_momentum,
}

FORMATS = {"svg": "image/svg+xml", "png": "image/png"}
# No creation date or software version in the files: the same figures give the same bytes.
_METADATA = {
    "svg": {"Date": None, "Creator": None},
    "png": {"Software": None},
}
# The PNG is only the fallback copy: light zlib compression encodes it in about half the
# time of the default, for a file about 7% larger.
_OPTIONS = {
    "svg": {},
    "png": {"pil_kwargs": {"compress_level": 1}},
}
# Saved in this order whatever order is asked for: the PNG first, while the Agg renderer
# that laid the figure out (and holds its text measurements) is still current.
_SAVE_ORDER = ("png", "svg")


def draw(chart: Chart) -> Figure:
    """The chart's figure, drawn by its kind's renderer."""
    with matplotlib.rc_context(style.RC):
        return RENDERERS[chart.kind](chart)


def _save(figure: Figure, fmt: str) -> bytes:
    buffer = io.BytesIO()
    with matplotlib.rc_context(style.RC):
        figure.savefig(
            buffer, format=fmt, dpi=style.PNG_DPI, metadata=_METADATA[fmt], **_OPTIONS[fmt]
        )
    return buffer.getvalue()


def render(chart: Chart, formats: tuple[str, ...] = ("svg", "png")) -> dict[str, bytes]:
    """The chart drawn once and saved in each of ``formats``."""
    figure = draw(chart)
    files = {}
    for fmt in sorted(formats, key=_SAVE_ORDER.index):
        files[fmt] = _save(figure, fmt)
        # The first save laid the figure out; the others reuse that layout (it is the
        # costly part of saving).
        figure.set_layout_engine("none")
    return {fmt: files[fmt] for fmt in formats}


def render_svg(chart: Chart) -> bytes:
    """The chart as SVG (text kept as text)."""
    return render(chart, ("svg",))["svg"]


def render_png(chart: Chart) -> bytes:
    """The chart as a PNG."""
    return render(chart, ("png",))["png"]
