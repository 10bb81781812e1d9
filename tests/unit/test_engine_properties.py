"""QUALITY R14: on generated responses, every figure the engine reports equals an independent
computation (exact fractions, numpy, pandas, ``statistics``, scipy), whatever the order."""

import math
import statistics
import warnings
from collections import Counter, defaultdict
from fractions import Fraction

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from maturity.engine import (
    ScoredItem,
    benchmark,
    change_between,
    default_band_floors,
    level_distribution,
    level_for,
    overall_score,
    ranks,
    respondent_dimension_scores,
    summarise,
)

PROPERTY = settings(max_examples=200, deadline=None)
SCORES = st.lists(st.floats(min_value=1, max_value=7), max_size=30)
# A small grid of means makes ties between members common.
MEANS = st.one_of(st.sampled_from([1.0, 1.5, 2.0, 2.25, 3.0, 3.5]), st.floats(1, 5))


def close(got: float | None, want: float) -> bool:
    return got is not None and math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12)


# Dimensions of items, each item a (kind, is_reversed) pair; reversal applies to likert only.
DIMENSIONS = st.lists(
    st.lists(
        st.tuples(st.sampled_from(["level", "likert"]), st.booleans()), min_size=1, max_size=5
    ),
    min_size=1,
    max_size=3,
)
NOT_ANSWERS = ["dont_know", "", "0"]


def answer_choices(item: ScoredItem, levels: int) -> list[str]:
    top = levels if item.kind == "level" else 5
    return [*map(str, range(1, top + 1)), *NOT_ANSWERS, str(top + 1)]


@st.composite
def surveys(draw) -> tuple[int, list[ScoredItem], list[dict[int, str]]]:
    """A framework's scored items and up to 20 respondents' answers, valid or not."""
    levels = draw(st.integers(2, 7))
    items = [
        ScoredItem(position, f"d{d}", kind, kind == "likert" and is_reversed)
        for d, dimension in enumerate(draw(DIMENSIONS))
        for position, (kind, is_reversed) in enumerate(dimension, start=10 * d)
    ]
    choices = [answer_choices(item, levels) for item in items]
    size = len(items) * draw(st.integers(0, 20))
    picks = draw(st.lists(st.integers(0, 11), min_size=size, max_size=size))
    respondents = [picks[i : i + len(items)] for i in range(0, size, len(items))]
    return (
        levels,
        items,
        [
            {
                item.item_id: options[pick % len(options)]
                for item, options, pick in zip(items, choices, row, strict=True)
            }
            for row in respondents
        ],
    )


def exact_score(item: ScoredItem, value: str, levels: int) -> Fraction | None:
    top = levels if item.kind == "level" else 5
    if value not in {str(v) for v in range(1, top + 1)}:
        return None
    v = int(value)
    if item.kind == "level":
        return Fraction(v)
    if item.is_reversed:
        v = 6 - v
    return 1 + Fraction(v - 1, 4) * (levels - 1)


def exact_dimension_scores(
    items: list[ScoredItem], answers: dict[int, str], levels: int
) -> dict[str, Fraction]:
    offered = Counter(item.dimension_key for item in items)
    answered = defaultdict(list)
    for item in items:
        score = exact_score(item, answers.get(item.item_id, ""), levels)
        if score is not None:
            answered[item.dimension_key].append(score)
    return {d: sum(s) / len(s) for d, s in answered.items() if len(s) >= offered[d] / 2}


def exact_level(mean: Fraction, levels: int) -> int:
    return min(levels, max(1, math.floor(mean)))


def assert_summary_is_independent(scores: list[float]) -> None:
    summary = summarise(scores)
    series = pd.Series(scores)
    assert summary.n == len(scores)
    assert close(summary.mean, statistics.fmean(scores))
    assert close(summary.mean, float(np.mean(scores)))
    assert close(summary.median, statistics.median(scores))
    pandas_q1, pandas_q3 = series.quantile([0.25, 0.75])
    assert close(summary.q1, pandas_q1) and close(summary.q3, pandas_q3)
    if len(scores) < 2:
        assert (summary.sd, summary.ci_low, summary.ci_high) == (None, None, None)
        return
    q1, _, q3 = statistics.quantiles(scores, n=4, method="inclusive")
    assert close(summary.q1, q1) and close(summary.q3, q3)
    assert close(summary.sd, statistics.stdev(scores))
    assert close(summary.sd, float(series.std()))
    if statistics.stdev(scores) == 0:
        expected = (summary.mean, summary.mean)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # near-equal floats: scipy warns
            expected = stats.ttest_1samp(scores, 0.0).confidence_interval(0.95)
    assert close(summary.ci_low, float(expected[0]))
    assert close(summary.ci_high, float(expected[1]))


@PROPERTY
@given(survey=surveys(), data=st.data())
def test_respondent_scores_equal_exact_arithmetic_in_any_item_order(survey, data):
    levels, items, respondents = survey
    shuffled = data.draw(st.permutations(items))
    for answers in respondents:
        expected = exact_dimension_scores(items, answers, levels)
        got = respondent_dimension_scores(items, answers, levels)
        assert got.keys() == expected.keys()
        assert all(close(got[d], float(expected[d])) for d in got)
        assert respondent_dimension_scores(shuffled, answers, levels) == got


@PROPERTY
@given(survey=surveys(), data=st.data())
def test_member_results_equal_independent_statistics_in_any_response_order(survey, data):
    levels, items, respondents = survey
    floors = default_band_floors(levels)
    scored = [respondent_dimension_scores(items, answers, levels) for answers in respondents]
    exact = [exact_dimension_scores(items, answers, levels) for answers in respondents]
    for dimension in {item.dimension_key for item in items}:
        scores = [s[dimension] for s in scored if dimension in s]
        exact_scores = [e[dimension] for e in exact if dimension in e]
        if not scores:
            continue
        assert_summary_is_independent(scores)
        summary = summarise(scores)
        exact_mean = sum(exact_scores) / len(exact_scores)
        assert level_for(summary.mean, floors) == exact_level(exact_mean, levels)
        chosen = [level_for(score, floors) for score in scores]
        expected_counts = Counter(exact_level(e, levels) for e in exact_scores)
        assert level_distribution(chosen, levels) == {
            level: expected_counts[level] for level in range(1, levels + 1)
        }
        assert summarise(data.draw(st.permutations(scores))) == summary


@PROPERTY
@given(scores=SCORES.filter(bool), data=st.data())
def test_summaries_of_any_scores_equal_independent_statistics(scores, data):
    assert_summary_is_independent(scores)
    assert summarise(data.draw(st.permutations(scores))) == summarise(scores)


@PROPERTY
@given(
    member_means=st.dictionaries(st.integers(1, 500), MEANS, min_size=1, max_size=40),
    data=st.data(),
)
def test_benchmarks_and_ranks_equal_pandas_in_any_member_order(member_means, data):
    series = pd.Series(member_means)
    values = list(member_means.values())
    n = len(values)
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    result = benchmark(member_means)
    assert result.n_members == n
    assert (result.minimum, result.maximum) == (min(values), max(values))
    assert close(result.median, statistics.median(values)) and close(result.median, median)
    assert close(result.q1, q1) and close(result.q3, q3)

    rank_from_top = series.rank(method="min", ascending=False)
    strictly_lower = series.rank(method="min", ascending=True) - 1
    got = ranks(member_means)
    assert got.keys() == member_means.keys()
    for member, rank in got.items():
        assert rank.rank == int(rank_from_top[member])
        if n == 1:
            assert rank.percentile is None
        else:
            assert close(rank.percentile, 100 * strictly_lower[member] / (n - 1))

    shuffled = dict(data.draw(st.permutations(list(member_means.items()))))
    assert benchmark(shuffled) == result
    assert ranks(shuffled) == got


@PROPERTY
@given(previous=SCORES, current=SCORES, data=st.data())
def test_change_equals_scipy_welch_in_any_response_order(previous, current, data):
    change = change_between(previous, current)
    reordered = change_between(
        data.draw(st.permutations(previous)), data.draw(st.permutations(current))
    )
    assert reordered == change
    if not previous or not current:
        assert change.difference is None
        return
    assert close(change.difference, statistics.fmean(current) - statistics.fmean(previous))
    if len(previous) < 2 or len(current) < 2:
        assert (change.ci_low, change.ci_high, change.direction) == (None, None, "steady")
        return
    if statistics.stdev(previous) == statistics.stdev(current) == 0:
        low = high = change.difference
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            result = stats.ttest_ind(current, previous, equal_var=False)
            low, high = (float(bound) for bound in result.confidence_interval(0.95))
    assert close(change.ci_low, low) and close(change.ci_high, high)
    if low > 1e-9:
        assert change.direction == "rising"
    elif high < -1e-9:
        assert change.direction == "falling"
    elif low < -1e-9 and high > 1e-9:
        assert change.direction == "steady"


@PROPERTY
@given(
    dimensions=st.dictionaries(
        st.sampled_from("abcdef"),
        st.tuples(st.floats(1, 7), st.floats(0.1, 10)),
        min_size=1,
    ),
    data=st.data(),
)
def test_overall_scores_equal_numpy_in_any_dimension_order(dimensions, data):
    means = {key: mean for key, (mean, _) in dimensions.items()}
    weights = {key: weight for key, (_, weight) in dimensions.items()}
    expected = np.average(list(means.values()), weights=list(weights.values()))
    assert close(overall_score("mean", means, weights), float(expected))
    assert close(overall_score("mean", means), statistics.fmean(means.values()))
    assert overall_score("weakest_link", means, weights) == min(means.values())
    shuffled = dict(data.draw(st.permutations(list(means.items()))))
    assert overall_score("mean", shuffled, weights) == overall_score("mean", means, weights)
