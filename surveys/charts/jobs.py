"""The job that draws a round's charts after its results and benchmarks are computed.

``render_round_charts`` takes a round id, draws every chart whose current version is not
stored yet (as SVG and PNG), stores them and deletes versions no longer shown. Run twice
on the same results, the second run draws nothing. The benchmark job queues it once its
own work commits; repeated requests coalesce under one job id.
"""

from __future__ import annotations

from flask import current_app

from maturity.jobs.queue import enqueue_after_commit


def request_round_charts(round_id: int) -> None:
    """Queue drawing a round's charts once the current transaction commits (coalesced).

    ``RENDER_CHARTS`` off (the test suite, except the chart tests) leaves charts undrawn.
    """
    if not current_app.config.get("RENDER_CHARTS", True):
        return
    enqueue_after_commit(
        render_round_charts, round_id, job_id=f"render-round-charts-{round_id}", slow=True
    )


def render_round_charts(round_id: int) -> None:
    """Draw and store every chart of a round that is missing or out of date."""
    # Imported here: web processes import this module to queue the job, and must never
    # load matplotlib; only the worker running the job does.
    from surveys.charts.drawing import draw_round_charts

    draw_round_charts(round_id)
