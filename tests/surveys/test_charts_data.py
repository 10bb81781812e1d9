"""Chart data: the figures each chart is given equal the result tables (golden tests), and
no chart or table shows a group under the minimum size or names an anonymised peer (R3)."""

import json
from dataclasses import asdict

import numpy as np
import pytest
import sqlalchemy as sa

from maturity.collaboratives.models import PeerVisibility
from maturity.db import db
from maturity.frameworks.models import Dimension, FrameworkVersion, Level
from maturity.results.models import ALL_RESPONDENTS, BenchmarkResult, DimensionResult
from surveys.charts.catalogue import collaborative_chart_set, member_chart_set
from surveys.charts.labels import anonymous_label, lettering_order
from surveys.charts.member import MIN_MEMBERS_FOR_SPREAD
from surveys.rounds.models import Round
from tests.surveys.chart_support import seed_chart_world


@pytest.fixture
def charts(world):
    return seed_chart_world(world)


def _by_id(entries):
    return {entry.chart_id: entry.chart for entry in entries}


def _rows(round_id, organisation_id=None, segment=ALL_RESPONDENTS):
    query = sa.select(DimensionResult).where(
        DimensionResult.round_id == round_id, DimensionResult.segment == segment
    )
    if organisation_id is not None:
        query = query.where(DimensionResult.organisation_id == organisation_id)
    return db.session.scalars(query).all()


def _dimensions(round_id):
    round_ = db.session.get(Round, round_id)
    version = db.session.get(FrameworkVersion, round_.framework_version_id)
    return sorted(version.dimensions, key=lambda d: d.position)


def _benchmark(round_id, key):
    return db.session.scalars(
        sa.select(BenchmarkResult).where(
            BenchmarkResult.round_id == round_id, BenchmarkResult.dimension_key == key
        )
    ).one()


def test_member_profile_is_the_members_means_against_the_stored_benchmark(charts):
    profile = _by_id(member_chart_set(charts.latest_round_id, charts.home_id))["profile"]
    own = {row.dimension_key: row for row in _rows(charts.latest_round_id, charts.home_id)}
    dimensions = _dimensions(charts.latest_round_id)
    assert profile.dimensions == tuple(d.name for d in dimensions)
    assert profile.member_means == tuple(own[d.key].mean for d in dimensions)
    for i, dimension in enumerate(dimensions):
        stored = _benchmark(charts.latest_round_id, dimension.key)
        assert stored.n_members >= MIN_MEMBERS_FOR_SPREAD
        assert (profile.medians[i], profile.q1s[i], profile.q3s[i]) == (
            stored.median,
            stored.q1,
            stored.q3,
        )


def test_member_benchmark_bars_are_every_reported_members_mean_highest_first(charts):
    entries = _by_id(member_chart_set(charts.latest_round_id, charts.home_id))
    for dimension in _dimensions(charts.latest_round_id):
        chart = entries[f"benchmark-{dimension.key}"]
        reported = [
            row.mean
            for row in _rows(charts.latest_round_id)
            if row.dimension_key == dimension.key and not row.suppressed
        ]
        assert [bar.mean for bar in chart.bars] == sorted(reported, reverse=True)
        assert sum(bar.is_own for bar in chart.bars) == 1
        assert chart.median == _benchmark(charts.latest_round_id, dimension.key).median


def test_trend_is_the_members_means_and_stored_medians_round_by_round(charts):
    trend = _by_id(member_chart_set(charts.latest_round_id, charts.home_id))["trend"]
    rounds = [db.session.get(Round, round_id) for round_id in charts.round_ids]
    assert trend.rounds == tuple(r.name for r in rounds)
    for series, dimension in zip(trend.series, _dimensions(charts.latest_round_id), strict=True):
        expected = []
        for round_ in rounds:
            row = next(
                r for r in _rows(round_.id, charts.home_id) if r.dimension_key == dimension.key
            )
            expected.append(None if row.suppressed else row.mean)
        assert series.member_means == tuple(expected)
        assert series.medians == tuple(_benchmark(r.id, dimension.key).median for r in rounds)


def test_distribution_counts_are_the_stored_level_distribution(charts):
    chart = _by_id(member_chart_set(charts.latest_round_id, charts.home_id))["distribution"]
    own = {row.dimension_key: row for row in _rows(charts.latest_round_id, charts.home_id)}
    levels = db.session.scalars(
        sa.select(Level).where(
            Level.version_id == _dimensions(charts.latest_round_id)[0].version_id
        )
    ).all()
    for name, counts in zip(chart.dimensions, chart.counts, strict=True):
        row = next(r for r in own.values() if _name(r.dimension_key) == name)
        assert counts == tuple(
            row.level_distribution.get(str(n), 0) for n in range(1, len(levels) + 1)
        )
        assert sum(counts) == row.n


def _name(key):
    return db.session.scalars(sa.select(Dimension.name).where(Dimension.key == key)).first()


ROLE_SEGMENTS = {  # segment -> (n, mean); None: suppressed, stored without figures
    "role_band=frontline": (6, 2.1),
    "role_band=manager": (4, 2.8),
    "role_band=senior_leader": None,
    "role_band=not_answered": (3, 1.9),
}


def _store_role_segments(round_id, organisation_id, key):
    db.session.execute(
        sa.delete(DimensionResult).where(
            DimensionResult.round_id == round_id,
            DimensionResult.organisation_id == organisation_id,
            DimensionResult.dimension_key == key,
            DimensionResult.segment.startswith("role_band="),
        )
    )
    own = _rows(round_id, organisation_id)[0]
    for segment, figures in ROLE_SEGMENTS.items():
        n, mean = figures or (0, None)
        db.session.add(
            DimensionResult(
                participation_id=own.participation_id,
                round_id=round_id,
                collaborative_id=own.collaborative_id,
                organisation_id=organisation_id,
                dimension_key=key,
                segment=segment,
                n=n,
                mean=mean,
                suppressed=figures is None,
            )
        )
    db.session.commit()


def test_breakdowns_are_the_stored_reported_segments_and_nothing_else(charts, world):
    dimension = _dimensions(charts.latest_round_id)[0]
    _store_role_segments(charts.latest_round_id, charts.home_id, dimension.key)
    entries = _by_id(member_chart_set(charts.latest_round_id, charts.home_id))
    chart = entries["breakdown-role_band"]
    shown = [row for row in chart.table()[1] if row[0] == dimension.name]
    assert shown == [
        [dimension.name, "Frontline", 6, 2.1],
        [dimension.name, "Manager", 4, 2.8],
    ]
    assert all(n >= world.collaborative.min_group_size for _, _, n, _ in chart.table()[1])


def test_momentum_points_are_the_stored_changes(charts):
    chart = _by_id(member_chart_set(charts.latest_round_id, charts.home_id))["momentum"]
    own = {_name(r.dimension_key): r for r in _rows(charts.latest_round_id, charts.home_id)}
    assert chart.points
    for point in chart.points:
        row = own[point.label]
        assert (point.mean, point.change, point.ci_low, point.ci_high, point.direction) == (
            row.mean,
            row.change_difference,
            row.change_ci_low,
            row.change_ci_high,
            row.change_direction,
        )


def test_convenor_heatmap_is_every_reported_members_stored_levels(charts):
    heatmap = _by_id(collaborative_chart_set(charts.latest_round_id))["heatmap"]
    reported = [charts.home_id, charts.peer_id, charts.quiet_id, charts.fourth_id]
    assert sorted(heatmap.members) == sorted(charts.names[i] for i in reported)
    dimensions = _dimensions(charts.latest_round_id)
    for name, levels in zip(heatmap.members, heatmap.levels, strict=True):
        org_id = next(i for i, n in charts.names.items() if n == name)
        rows = {r.dimension_key: r for r in _rows(charts.latest_round_id, org_id)}
        assert levels == tuple(rows[d.key].level for d in dimensions)


def test_a_comparator_groups_spread_is_computed_over_its_members_only(charts):
    entries = _by_id(collaborative_chart_set(charts.latest_round_id, "metropolitan"))
    dimension = _dimensions(charts.latest_round_id)[0]
    chart = entries[f"benchmark-{dimension.key}"]
    group = {charts.home_id, charts.peer_id, charts.quiet_id}
    means = [
        r.mean
        for r in _rows(charts.latest_round_id)
        if r.dimension_key == dimension.key and r.organisation_id in group
    ]
    assert sorted(bar.mean for bar in chart.bars) == sorted(means)
    assert chart.median == pytest.approx(np.percentile(means, 50))
    assert (chart.q1, chart.q3) == pytest.approx(tuple(np.percentile(means, [25, 75])))
    # "coastal" has one reported member: too small a group to chart at all.
    assert collaborative_chart_set(charts.latest_round_id, "coastal") == []


def _everything_shown(entries) -> str:
    return json.dumps(
        [[asdict(e.chart), e.chart.title, e.chart.alt_text(), e.chart.table()] for e in entries],
        default=str,
    )


def test_a_member_below_k_is_absent_from_every_chart_and_table(charts):
    small_name = charts.names[charts.small_id]
    for organisation_id in (charts.home_id, charts.peer_id):
        shown = _everything_shown(member_chart_set(charts.latest_round_id, organisation_id))
        assert small_name not in shown
    convenor = _everything_shown(collaborative_chart_set(charts.latest_round_id))
    assert small_name not in convenor
    assert member_chart_set(charts.latest_round_id, charts.small_id) == []
    for entry in member_chart_set(charts.latest_round_id, charts.home_id):
        if entry.chart.kind == "benchmark":
            assert len(entry.chart.bars) == 4


def test_peers_are_named_only_with_their_consent_and_the_named_setting(charts, world):
    entries = member_chart_set(charts.latest_round_id, charts.home_id)
    shown = _everything_shown(entries)
    assert charts.names[charts.home_id] in shown  # own member
    assert charts.names[charts.peer_id] in shown  # consented, collaborative names peers
    for anonymous in (charts.quiet_id, charts.fourth_id):
        assert charts.names[anonymous] not in shown
    labels = {bar.label for bar in _by_id(entries)["benchmark-collaboration"].bars}
    assert labels == {
        charts.names[charts.home_id],
        charts.names[charts.peer_id],
        "Member A",
        "Member B",
    }

    world.collaborative.peer_visibility = PeerVisibility.ANONYMISED
    db.session.commit()
    shown = _everything_shown(member_chart_set(charts.latest_round_id, charts.home_id))
    for peer in (charts.peer_id, charts.quiet_id, charts.fourth_id, charts.small_id):
        assert charts.names[peer] not in shown
    assert "Member C" in shown
    convenor = _everything_shown(collaborative_chart_set(charts.latest_round_id))
    assert all(charts.names[i] in convenor for i in (charts.peer_id, charts.quiet_id))


def test_anonymous_letters_follow_a_keyed_shuffle_not_names_or_ids():
    ids = list(range(1, 21))
    order = lettering_order("a secret of the application", 7, ids)
    assert sorted(order) == ids
    assert order != ids and order != ids[::-1]
    assert order == lettering_order("a secret of the application", 7, list(reversed(ids)))
    assert order != lettering_order("another secret", 7, ids)
    assert order != lettering_order("a secret of the application", 8, ids)
    assert [anonymous_label(i) for i in (0, 25, 26, 27)] == [
        "Member A",
        "Member Z",
        "Member AA",
        "Member AB",
    ]
