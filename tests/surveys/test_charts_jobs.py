"""The chart job: after the benchmarks, every chart of a round is drawn and stored as SVG
and PNG under a key naming what it shows and the figures' version; running it again on
the same results draws nothing; new figures get new keys and the old ones go."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from maturity.db import db, utcnow
from maturity.jobs import queue as job_queue
from maturity.jobs.queue import queue_for
from maturity.results.models import ParticipationResult
from maturity.storage.models import StoredFile
from surveys.charts import drawing
from surveys.charts.catalogue import (
    chart_key,
    collaborative_chart_set,
    group_name,
    group_prefix,
    member_chart_set,
    member_prefix,
)
from surveys.charts.jobs import render_round_charts
from surveys.jobs import recompute_benchmarks
from surveys.rounds.models import NamingConsent, Participation, Round
from tests.jobs_support import app_with_redis, work_queue
from tests.surveys.chart_support import seed_chart_world
from tests.surveys.test_jobs import machine_redis_url


@pytest.fixture
def charts(world):
    return seed_chart_world(world)


@pytest.fixture
def quick_drawing(monkeypatch):
    """Stand-in bytes instead of matplotlib's (drawing every kind for real is
    tests/unit/test_charts_render.py's job; here it is which charts are stored where).
    Returns the charts drawn."""
    drawn = []

    def render(chart, formats):
        drawn.append(chart)
        return {fmt: f"{fmt}:{chart.title}".encode() for fmt in formats}

    monkeypatch.setattr(drawing, "render", render)
    return drawn


def _stored() -> dict[str, tuple[int, str, str]]:
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(StoredFile.key, StoredFile.id, StoredFile.etag, StoredFile.content_type)
    )
    return {key: (file_id, etag, content_type) for key, file_id, etag, content_type in rows}


def _expected_keys(world, charts) -> set[str]:
    collaborative_id, round_id = world.collaborative.id, charts.latest_round_id
    keys = set()
    for organisation_id in (charts.home_id, charts.peer_id, charts.quiet_id, charts.fourth_id):
        prefix = member_prefix(collaborative_id, round_id, organisation_id)
        for entry in member_chart_set(round_id, organisation_id):
            keys |= {chart_key(prefix, entry.chart_id, entry.digest, f) for f in ("svg", "png")}
    for tag in (None, "metropolitan"):
        prefix = group_prefix(collaborative_id, round_id, group_name(tag))
        for entry in collaborative_chart_set(round_id, tag):
            keys |= {chart_key(prefix, entry.chart_id, entry.digest, f) for f in ("svg", "png")}
    return keys


def test_the_job_stores_every_chart_and_a_second_run_draws_nothing(world, charts, quick_drawing):
    render_round_charts(charts.latest_round_id)
    first = _stored()
    assert len(quick_drawing) == len(first) / 2
    expected = _expected_keys(world, charts)
    assert set(first) == expected
    assert not any(f"/o{charts.small_id}/" in key for key in first), "no charts below k"
    for key, (_, _, content_type) in first.items():
        assert content_type == ("image/svg+xml" if key.endswith(".svg") else "image/png")

    quick_drawing.clear()
    render_round_charts(charts.latest_round_id)
    assert quick_drawing == [], "the second run drew nothing"
    assert _stored() == first


def test_new_figures_get_new_keys_and_the_old_charts_are_deleted(world, charts, quick_drawing):
    render_round_charts(charts.latest_round_id)
    before = _stored()
    peer = db.session.scalars(
        sa.select(Participation).where(
            Participation.round_id == charts.latest_round_id,
            Participation.organisation_id == charts.peer_id,
        )
    ).one()
    peer.naming_consent = NamingConsent.CONVENOR_ONLY  # now anonymised in members' charts
    db.session.commit()
    quick_drawing.clear()
    render_round_charts(charts.latest_round_id)
    after = _stored()
    assert set(after) == _expected_keys(world, charts)
    # Only the members' benchmarks show the peer's label; the peer's own charts and the
    # convenor's (who sees every name) stay as they were.
    assert quick_drawing and all(chart.kind == "benchmark" for chart in quick_drawing)
    gone = set(before) - set(after)
    assert gone and all("/benchmark-" in key for key in gone)
    assert not any(f"/o{charts.peer_id}/" in key or "/all/" in key for key in gone)
    assert len(after) == len(before)


def test_no_round_no_charts(world, charts, quick_drawing):
    render_round_charts(10_000)  # no such round
    assert _stored() == {}


def test_the_benchmark_job_queues_the_charts_in_process(app, world, charts, monkeypatch):
    embedded = app_with_redis(app, "")
    embedded.config["RENDER_CHARTS"] = True
    ran = []
    monkeypatch.setattr(job_queue, "run_now", lambda app_, request: ran.append(request.job_id))
    with embedded.app_context():
        recompute_benchmarks(charts.latest_round_id)
    assert ran == [f"render-round-charts-{charts.latest_round_id}"]

    embedded.config["RENDER_CHARTS"] = False  # the test suite's default
    ran.clear()
    with embedded.app_context():
        recompute_benchmarks(charts.latest_round_id)
    assert ran == []


def test_with_redis_a_worker_draws_the_charts_after_the_benchmarks(app, world, charts):
    redis_app = app_with_redis(app, machine_redis_url(app))
    redis_app.config["RENDER_CHARTS"] = True
    redis = redis_app.extensions["redis"]
    queue_for(redis).empty()
    with redis_app.app_context():
        recompute_benchmarks(charts.latest_round_id)
    assert queue_for(redis).job_ids == [f"render-round-charts-{charts.latest_round_id}"]
    assert _stored() == {}, "nothing is drawn before a worker runs"
    work_queue(redis_app, redis)
    assert set(_stored()) == _expected_keys(world, charts)


def test_the_most_recently_recomputed_member_is_drawn_first(world, charts, quick_drawing):
    # As after a submission: the member just recomputed gets its own charts before the
    # peers' charts that show it, each member's committed as soon as drawn.
    quiet = db.session.scalars(
        sa.select(ParticipationResult).where(
            ParticipationResult.round_id == charts.latest_round_id,
            ParticipationResult.organisation_id == charts.quiet_id,
        )
    ).one()
    quiet.computed_at = utcnow() + timedelta(minutes=5)
    db.session.commit()
    reported = sorted(
        [charts.home_id, charts.peer_id, charts.quiet_id, charts.fourth_id],
        key=charts.names.get,
    )
    assert reported[0] != charts.quiet_id, "by name alone it would not come first"
    assert drawing.freshest_first(charts.latest_round_id, reported)[0] == charts.quiet_id

    render_round_charts(charts.latest_round_id)
    quiet_charts = member_chart_set(charts.latest_round_id, charts.quiet_id)
    drawn_first = quick_drawing[: len(quiet_charts)]
    assert drawn_first == [entry.chart for entry in quiet_charts]


def test_the_draw_charts_command_draws_what_is_missing(app, world, charts, quick_drawing):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["draw-charts"])
    db.session.rollback()

    assert result.exit_code == 0, result.output
    assert "drawn in" in result.output
    assert set(_stored()) >= _expected_keys(world, charts)
    drawn = len(quick_drawing)
    reference = db.session.get(Round, charts.latest_round_id).reference
    again = runner.invoke(args=["draw-charts", reference])
    assert again.exit_code == 0, again.output
    assert len(quick_drawing) == drawn, "nothing new to draw"


def test_the_draw_charts_command_names_an_unknown_round(app, world, quick_drawing):
    result = app.test_cli_runner().invoke(args=["draw-charts", "nowhere/round-9"])
    assert result.exit_code != 0
    assert "No round nowhere/round-9" in result.output
    assert quick_drawing == []
