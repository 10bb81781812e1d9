"""The momentum map stays legible with a collaborative's worth of members bunched together:
each point carries a number that covers no other number and no point, and the key beside
the plot (and the chart's table) names every number."""

from matplotlib.text import Annotation, Text

from maturity.charts.draw.momentum import draw_momentum
from maturity.charts.figures import MomentumChart, MomentumPoint
from tests.unit.chart_samples import LEVELS

MEMBERS = [
    "Ashby Moor Metropolitan Borough Council",
    "Brackenfield City Council",
    "Calder Vale District Council",
    "Dunmore Bay Borough Council",
    "Eskdale County Council",
    "Fellside Metropolitan Borough Council",
    "Greywater Council",
    "Harrowgate Sands Borough Council",
    "Irkbridge City Council",
    "Jarrow Heath District Council",
    "Kilnsey Metropolitan Borough Council",
    "Lunesdale Council",
]


def _bunched_chart() -> MomentumChart:
    """Twelve members within a tenth of a level and a tenth of a point of change."""
    points = tuple(
        MomentumPoint(
            name,
            mean=2.5 + (index % 4) * 0.03,
            change=0.05 + (index // 4) * 0.03,
            ci_low=-0.2,
            ci_high=0.3,
            direction="steady",
            is_own=index == 0,
        )
        for index, name in enumerate(MEMBERS)
    )
    return MomentumChart(title="Momentum", point_label="Member", level_names=LEVELS, points=points)


def _drawn_numbers(figure):
    renderer = figure.canvas.get_renderer()
    figure.draw(renderer)
    axes = figure.axes[0]
    numbers = [child for child in axes.get_children() if isinstance(child, Annotation)]
    return renderer, axes, numbers


def test_no_number_covers_another_number_or_a_point():
    chart = _bunched_chart()
    renderer, axes, numbers = _drawn_numbers(draw_momentum(chart))
    assert [n.get_text() for n in numbers] == [str(i) for i in range(1, len(MEMBERS) + 1)]
    # The numbers' own text, without the leader lines that join far ones to their points.
    boxes = [Text.get_window_extent(n, renderer) for n in numbers]
    for first in range(len(boxes)):
        for second in range(first + 1, len(boxes)):
            assert not boxes[first].overlaps(boxes[second]), (first + 1, second + 1)
    for point in chart.points:
        x, y = axes.transData.transform((point.change, point.mean))
        for number, box in zip(numbers, boxes, strict=True):
            assert not box.contains(x, y), (number.get_text(), point.label)


def test_the_key_names_every_member_behind_its_number():
    figure = draw_momentum(_bunched_chart())
    key = next(legend for legend in figure.legends if legend.get_title().get_text() == "Key")
    entries = [text.get_text().replace("\n", " ") for text in key.get_texts()]
    assert entries == [f"{i}  {name}" for i, name in enumerate(MEMBERS, start=1)]


def test_the_table_gives_each_point_the_number_it_carries_on_the_chart():
    headers, rows = _bunched_chart().table()
    assert headers[:2] == ["Key", "Member"]
    assert [(row[0], row[1]) for row in rows] == list(enumerate(MEMBERS, start=1))
