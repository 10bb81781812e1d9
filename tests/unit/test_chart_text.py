"""Chart text is drawn as typed: names people chose (organisations, dimensions, groups) may
hold "$" and "\\", which matplotlib would otherwise read as mathtext and fail to draw."""

import dataclasses
import xml.etree.ElementTree as ET

import pytest

from maturity.charts.render import render
from tests.unit.chart_samples import samples

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SAMPLES = samples()
MATH_LIKE = r" $x^2$ \\ $\frac{a}{b$"  # an even number of "$", and bad mathtext
KEYWORD_FIELDS = {"direction"}  # chosen from a fixed list, not typed by a person


def _with_math_like_names(value):
    """``value`` with MATH_LIKE appended to every text a person could have typed."""
    if isinstance(value, str):
        return value + MATH_LIKE
    if isinstance(value, tuple):
        return tuple(_with_math_like_names(item) for item in value)
    if dataclasses.is_dataclass(value):
        changes = {
            field.name: _with_math_like_names(getattr(value, field.name))
            for field in dataclasses.fields(value)
            if field.name not in KEYWORD_FIELDS
        }
        return dataclasses.replace(value, **changes)
    return value


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_dollar_signs_and_backslashes_in_names_are_drawn_as_typed(kind):
    chart = _with_math_like_names(SAMPLES[kind])
    files = render(chart)
    texts = "".join(ET.fromstring(files["svg"]).itertext())  # noqa: S314 (bytes just made)
    assert "$x^2$" in texts
    assert files["png"].startswith(PNG_SIGNATURE)
