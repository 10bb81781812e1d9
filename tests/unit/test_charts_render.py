"""Every chart kind draws to a matplotlib Figure (never pyplot) and saves as valid SVG and
PNG; every chart has alt text and a table of the figures it draws."""

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
