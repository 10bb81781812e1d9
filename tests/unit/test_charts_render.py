"""Every chart kind draws to a matplotlib Figure (never pyplot) and saves as valid SVG and
PNG; every chart has alt text and a table of the figures it draws."""

import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from matplotlib.figure import Figure

from maturity.charts.figures import CHART_TYPES
from maturity.charts.render import RENDERERS, draw, render
from tests.unit.chart_samples import samples

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG_NS = "{http://www.w3.org/2000/svg}"
SAMPLES = samples()


def test_every_registered_kind_has_figures_a_renderer_and_a_sample():
    assert set(RENDERERS) == set(CHART_TYPES) == set(SAMPLES)


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_a_chart_draws_to_a_figure_and_saves_as_svg_and_png(kind):
    chart = SAMPLES[kind]
    assert isinstance(draw(chart), Figure)
    files = render(chart)
    root = ET.fromstring(files["svg"])  # noqa: S314 (bytes this test just made)
    assert root.tag == f"{SVG_NS}svg"
    assert files["png"].startswith(PNG_SIGNATURE)
    assert len(files["png"]) > 5_000  # something was drawn, not an empty canvas


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_a_chart_has_alt_text_and_a_table_of_what_it_draws(kind):
    chart = SAMPLES[kind]
    headers, rows = chart.table()
    assert chart.alt_text().strip()
    assert headers and rows
    assert all(len(row) == len(headers) for row in rows)


def test_svg_text_stays_text_and_the_same_figures_give_the_same_bytes():
    chart = SAMPLES["benchmark"]
    first, second = render(chart), render(chart)
    assert first == second
    texts = "".join(ET.fromstring(first["svg"]).itertext())  # noqa: S314 (as above)
    assert "Member B" in texts and "2.61" in texts


def test_figures_not_reported_are_not_drawn_or_listed():
    profile = SAMPLES["profile"]
    assert profile.member_means[2] is None
    _, rows = profile.table()
    assert rows[2][1] is None
    breakdown = SAMPLES["breakdown"]
    _, rows = breakdown.table()
    assert ["Working with communities", "Frontline"] not in [row[:2] for row in rows]
    assert len(rows) == 5


def test_rendering_never_loads_pyplot():
    code = (
        "import sys\n"
        "from maturity.charts.render import render\n"
        "from tests.unit.chart_samples import samples\n"
        "for chart in samples().values():\n"
        "    render(chart)\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300)


def test_heatmap_cells_show_the_mean_to_one_decimal_so_one_level_reads_two_ways():
    chart = SAMPLES["heatmap"]
    figure = draw(chart)
    cells = [text.get_text() for text in figure.axes[0].texts]
    assert cells[:6] == ["1.4", "2.0", "3.2", "3.8", "2.9", "2.5"]
    assert cells[7] == "–"  # Brackenfield, Frontline freedom: not reported
    _, rows = chart.table()
    assert rows[0][2] == "2 Developing (mean 2.0)"
    assert rows[0][5] == "2 Developing (mean 2.9)"
    assert rows[1][2] is None


@pytest.mark.parametrize(
    ("mean", "position"),
    [
        (3.6, "above the middle half of members"),
        (2.2, "below the middle half of members"),
        (2.9, "within the middle half of members, above the median"),
        (2.6, "within the middle half of members, below the median"),
    ],
)
def test_a_benchmark_places_the_member_against_the_quartiles_never_by_rank(mean, position):
    from maturity.charts.figures import BenchmarkBar, BenchmarkChart

    bars = (BenchmarkBar("Peer A", 3.8), BenchmarkBar("Own", mean, is_own=True))
    chart = BenchmarkChart(
        title="Benchmark",
        dimension="Prevention",
        level_names=("Emerging", "Developing", "Maturing", "Embedded"),
        bars=bars,
        median=2.8,
        q1=2.4,
        q3=3.2,
    )
    text = chart.alt_text()
    assert f"Own scores {mean:.2f}, {position}." in text
    assert not re.search(r"\bis \d+ of \d+", text)  # no "is 2 of 2": a rank


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_no_chart_text_is_smaller_than_11_pixels_at_the_size_it_is_drawn(kind):
    from matplotlib.text import Text

    figure = draw(SAMPLES[kind])
    figure.draw_without_rendering()
    texts = [t for t in figure.findobj(Text) if t.get_text().strip() and t.get_visible()]
    assert texts
    smallest = min(t.get_fontsize() for t in texts) * figure.dpi / 72
    assert smallest >= 11, smallest
