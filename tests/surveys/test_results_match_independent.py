"""For every demo round, every figure in the results tables equals an independent
computation from the raw answers (pandas/numpy/scipy, none of the engine's code)."""

import itertools
import math

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from scipy import stats

from maturity.collaboratives.models import Collaborative
from maturity.db import db
from maturity.demo import DEMO_COLLABORATIVE, seed_people_and_places
from maturity.frameworks.models import Dimension, FrameworkVersion, Item, Level
from maturity.results.models import BenchmarkResult, DimensionResult, ItemResult
from surveys.demo import seed_rounds
from surveys.responses.models import Answer, Response, ResponseStatus
from surveys.rounds.models import Participation, Round

TOLERANCE = 1e-9


@pytest.fixture
def demo(app):
    councils = seed_people_and_places(seed=7)
    partnership = db.session.scalars(
        sa.select(Collaborative).where(Collaborative.name == DEMO_COLLABORATIVE)
    ).one()
    seed_rounds(partnership, councils, seed=7)
    db.session.commit()
    return partnership


def frame(statement) -> pd.DataFrame:
    with db.engine.connect() as connection:
        return pd.read_sql(statement, connection)


def item_scores(round_: Round) -> pd.DataFrame:
    """One row per (response, scored item) with the answer on the level scale."""
    version = db.session.get(FrameworkVersion, round_.framework_version_id)
    levels = len(version.levels)
    answers = frame(
        sa.select(Answer.response_id, Answer.item_id, Answer.value, Response.participation_id)
        .join(Response, Response.id == Answer.response_id)
        .join(Participation, Participation.id == Response.participation_id)
        .where(Participation.round_id == round_.id, Response.status == ResponseStatus.SUBMITTED)
    )
    items = frame(
        sa.select(Item.id.label("item_id"), Item.item_type, Item.is_reversed, Dimension.key)
        .join(Dimension, Dimension.id == Item.dimension_id)
        .where(Item.version_id == version.id)
    )
    merged = answers.merge(items, on="item_id")
    numeric = pd.to_numeric(merged["value"], errors="coerce")
    likert = merged["item_type"] == "likert"
    flipped = np.where(merged["is_reversed"].astype(bool), 6 - numeric, numeric)
    merged["score"] = np.where(likert, 1 + (flipped - 1) * (levels - 1) / 4, numeric)
    return merged.dropna(subset=["score"])


def respondent_scores(round_: Round) -> pd.DataFrame:
    scored = item_scores(round_)
    version_items = frame(
        sa.select(Dimension.key, sa.func.count(Item.id).label("offered"))
        .join(Item, Item.dimension_id == Dimension.id)
        .where(Dimension.version_id == round_.framework_version_id)
        .group_by(Dimension.key)
    ).set_index("key")["offered"]
    grouped = scored.groupby(["participation_id", "response_id", "key"])["score"]
    result = grouped.agg(["mean", "count"]).reset_index()
    result["offered"] = result["key"].map(version_items)
    return result[2 * result["count"] >= result["offered"]]


def expected_summary(values: np.ndarray) -> dict:
    n = len(values)
    mean = float(np.mean(values))
    sd = float(np.std(values, ddof=1))
    half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    return {
        "n": n,
        "mean": mean,
        "median": median,
        "q1": q1,
        "q3": q3,
        "sd": sd,
        "ci_low": mean - half,
        "ci_high": mean + half,
    }


def assert_close(row, expected: dict, context: str) -> None:
    for name, value in expected.items():
        assert math.isclose(getattr(row, name), value, rel_tol=TOLERANCE, abs_tol=TOLERANCE), (
            f"{context}: {name} {getattr(row, name)} != {value}"
        )


def test_every_demo_figure_matches_an_independent_computation(demo):
    k = demo.min_group_size
    rounds = db.session.scalars(sa.select(Round).where(Round.collaborative_id == demo.id)).all()
    assert len(rounds) == 3
    checked = 0
    for round_ in rounds:
        floors = db.session.scalars(
            sa.select(Level.band_floor)
            .where(Level.version_id == round_.framework_version_id)
            .order_by(Level.number)
        ).all()
        scores = respondent_scores(round_)
        results = {
            (r.participation_id, r.dimension_key): r
            for r in db.session.scalars(
                sa.select(DimensionResult).where(
                    DimensionResult.round_id == round_.id, DimensionResult.segment == "all"
                )
            )
        }
        member_means: dict[str, dict[int, float]] = {}
        for (participation_id, key), group in scores.groupby(["participation_id", "key"]):
            row = results[(participation_id, key)]
            values = group["mean"].to_numpy()
            if len(values) < k:
                assert row.suppressed and row.mean is None, (participation_id, key)
                continue
            expected = expected_summary(values)
            assert_close(row, expected, f"{round_.name} p{participation_id} {key}")
            assert row.level == max(1, int(np.searchsorted(floors, expected["mean"], side="right")))
            member_means.setdefault(key, {})[participation_id] = expected["mean"]
            checked += 1
        for key, means in member_means.items():
            series = pd.Series(means)
            expected_ranks = series.rank(method="min", ascending=False)
            for participation_id, rank in expected_ranks.items():
                assert results[(participation_id, key)].rank == int(rank)
            benchmark = db.session.scalars(
                sa.select(BenchmarkResult).where(
                    BenchmarkResult.round_id == round_.id, BenchmarkResult.dimension_key == key
                )
            ).one()
            q1, median, q3 = np.percentile(series.to_numpy(), [25, 50, 75])
            assert benchmark.n_members == len(series)
            assert math.isclose(benchmark.median, median, rel_tol=TOLERANCE)
            assert math.isclose(benchmark.q1, q1, rel_tol=TOLERANCE)
            assert math.isclose(benchmark.q3, q3, rel_tol=TOLERANCE)
            assert math.isclose(benchmark.minimum, series.min(), rel_tol=TOLERANCE)
            assert math.isclose(benchmark.maximum, series.max(), rel_tol=TOLERANCE)
    assert checked > 250


def test_change_since_the_last_round_matches_welch(demo):
    rounds = db.session.scalars(
        sa.select(Round).where(Round.collaborative_id == demo.id).order_by(Round.opens_at)
    ).all()
    checked = 0
    for previous, current in itertools.pairwise(rounds):
        before = respondent_scores(previous)
        after = respondent_scores(current)
        organisation_of = dict(
            db.session.execute(sa.select(Participation.id, Participation.organisation_id)).all()
        )
        before["organisation"] = before["participation_id"].map(organisation_of)
        rows = db.session.scalars(
            sa.select(DimensionResult).where(
                DimensionResult.round_id == current.id,
                DimensionResult.segment == "all",
                DimensionResult.change_difference.is_not(None),
            )
        ).all()
        for row in rows:
            old = before.query("organisation == @row.organisation_id and key == @row.dimension_key")
            new = after.query(
                "participation_id == @row.participation_id and key == @row.dimension_key"
            )
            test = stats.ttest_ind(new["mean"], old["mean"], equal_var=False)
            interval = test.confidence_interval(0.95)
            assert math.isclose(
                row.change_difference, new["mean"].mean() - old["mean"].mean(), abs_tol=1e-9
            )
            assert math.isclose(row.change_ci_low, interval.low, rel_tol=1e-7, abs_tol=1e-9)
            assert math.isclose(row.change_ci_high, interval.high, rel_tol=1e-7, abs_tol=1e-9)
            expected = (
                "rising" if interval.low > 0 else "falling" if interval.high < 0 else "steady"
            )
            assert row.change_direction == expected
            checked += 1
    assert checked > 100


def test_no_stored_figure_describes_fewer_than_k(demo):
    k = demo.min_group_size
    for row in db.session.scalars(sa.select(DimensionResult)):
        if row.suppressed:
            assert row.mean is None and row.level is None and not row.level_distribution
        else:
            assert row.n >= k and row.mean is not None
    hidden = db.session.scalar(
        sa.select(sa.func.count()).where(
            DimensionResult.suppressed.is_(True), DimensionResult.segment != "all"
        )
    )
    assert hidden > 0, "the demo has small segments, so some must be hidden"


def test_every_demo_item_figure_matches(demo):
    k = demo.min_group_size
    for round_ in db.session.scalars(sa.select(Round).where(Round.collaborative_id == demo.id)):
        scored = item_scores(round_)
        results = {
            (r.participation_id, r.item_id): r
            for r in db.session.scalars(
                sa.select(ItemResult).where(ItemResult.round_id == round_.id)
            )
        }
        for (participation_id, item_id), group in scored.groupby(["participation_id", "item_id"]):
            row = results[(participation_id, item_id)]
            values = group["score"].to_numpy()
            if len(values) < k:
                assert row.suppressed and row.mean is None
            else:
                assert_close(row, expected_summary(values), f"item {item_id}")
