"""The charts the dashboards and the member's report show, from ``surveys.charts``.

Pages get ``ChartView`` records (stored images, alt text, tables): nothing is drawn on a
page view. The report job draws its own copies as SVG, so a report never waits for the
chart worker.
"""

from __future__ import annotations

from surveys.charts.services import ChartView, collaborative_charts, member_charts
from surveys.reports.pdf import ReportChart
from surveys.rounds.models import Participation


def member_chart_views(participation: Participation) -> list[ChartView]:
    """The member's charts for the round, as its coordinator sees them."""
    return member_charts(participation.round_id, participation.organisation_id)


def collaborative_chart_views(round_id: int, tag: str | None) -> list[ChartView]:
    """The convenor's charts for a round and comparator group."""
    return collaborative_charts(round_id, tag)


def report_charts(participation: Participation) -> list[ReportChart]:
    """The member's charts as SVG (the worker's stored copy, or drawn now), with their alt
    text and tables, for the PDF."""
    # Imported here, not at the top: only the report job draws, and pages import this
    # module, so matplotlib stays out of the web request path.
    from maturity.charts.render import render_svg
    from surveys.charts.catalogue import member_chart_set, member_prefix, stored_chart

    prefix = member_prefix(
        participation.collaborative_id, participation.round_id, participation.organisation_id
    )
    charts = []
    for entry in member_chart_set(participation.round_id, participation.organisation_id):
        stored = stored_chart(prefix, entry, "svg")
        headers, rows = entry.chart.table()
        charts.append(
            ReportChart(
                title=entry.chart.title,
                alt_text=entry.chart.alt_text(),
                caption=entry.chart.caption,
                headers=headers,
                rows=rows,
                image=stored.content if stored else render_svg(entry.chart),
            )
        )
    return charts
