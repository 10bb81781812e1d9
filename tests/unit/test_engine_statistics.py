"""Descriptive statistics of a member's scores and the distribution of levels."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maturity.engine import Summary, level_distribution, summarise, summarise_counted

T_975_DF3 = 3.182446305284263  # Student t, 97.5th percentile, 3 degrees of freedom


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        (
            [1.0, 2.0, 3.0, 4.0],
            Summary(
                n=4,
                mean=2.5,
                median=2.5,
                q1=1.75,
                q3=3.25,
                sd=math.sqrt(5 / 3),
                ci_low=2.5 - T_975_DF3 * math.sqrt(5 / 3) / 2,
                ci_high=2.5 + T_975_DF3 * math.sqrt(5 / 3) / 2,
            ),
        ),
        ([3.25], Summary(1, 3.25, 3.25, 3.25, 3.25, None, None, None)),
        ([2.0, 2.0, 2.0], Summary(3, 2.0, 2.0, 2.0, 2.0, 0.0, 2.0, 2.0)),
        (
            [1.0, 4.0],
            Summary(
                2,
                2.5,
                2.5,
                1.75,
                3.25,
                math.sqrt(4.5),
                2.5 - 19.05930710426204,
                2.5 + 19.05930710426204,
            ),
        ),
    ],
)
def test_summarise(scores, expected):
    summary = summarise(scores)
    assert summary.n == expected.n
    for field in ("mean", "median", "q1", "q3", "sd", "ci_low", "ci_high"):
        got, want = getattr(summary, field), getattr(expected, field)
        if want is None:
            assert got is None, field
        else:
            assert math.isclose(got, want, rel_tol=1e-8), field


def test_quartiles_interpolate_linearly_between_order_statistics():
    summary = summarise([5.0, 1.0, 2.0, 3.5, 7.0])
    assert (summary.q1, summary.median, summary.q3) == (2.0, 3.5, 5.0)
    summary = summarise([1.0, 2.0, 3.5, 7.0])
    assert (summary.q1, summary.median, summary.q3) == (1.75, 2.75, 4.375)


def test_the_order_of_the_scores_does_not_matter():
    scores = [0.1 * i + 1 for i in range(23)] + [1.7, 3.3, 2.9]
    assert summarise(scores) == summarise(list(reversed(scores))) == summarise(sorted(scores))


@pytest.mark.parametrize("scores", [[], [1.0, math.nan], [math.inf]])
def test_no_scores_or_non_finite_scores_are_refused(scores):
    with pytest.raises(ValueError):
        summarise(scores)


@pytest.mark.parametrize(
    ("chosen", "levels", "expected"),
    [
        ([3, 1, 3, 4], None, {1: 1, 3: 2, 4: 1}),
        ([3, 1, 3, 4], 4, {1: 1, 2: 0, 3: 2, 4: 1}),
        ([], 3, {1: 0, 2: 0, 3: 0}),
        ([], None, {}),
        ([2, 2], 2, {1: 0, 2: 2}),
    ],
)
def test_level_distribution(chosen, levels, expected):
    distribution = level_distribution(chosen, levels)
    assert distribution == expected
    assert list(distribution) == sorted(distribution)


@pytest.mark.parametrize("chosen", [[0, 1], [5], [1, 2, 7]])
def test_level_distribution_refuses_levels_off_the_scale(chosen):
    with pytest.raises(ValueError):
        level_distribution(chosen, levels=4)


COUNTED = st.dictionaries(
    st.one_of(
        st.sampled_from([1.0, 1.75, 2.5, 3.25, 4.0, 7 / 3, 8 / 3, 2.2, 3.1]),
        st.floats(min_value=1, max_value=7),
    ),
    st.integers(min_value=0, max_value=400),
    min_size=1,
    max_size=8,
).filter(lambda counts: sum(counts.values()) > 0)


@settings(max_examples=300, deadline=None)
@given(COUNTED)
def test_summarise_counted_is_bit_for_bit_summarise_of_the_expanded_scores(counts):
    expanded = [score for score, count in counts.items() for _ in range(count)]
    assert summarise_counted(counts) == summarise(expanded)


@pytest.mark.parametrize("counts", [{}, {2.0: 0}, {2.0: -1}, {math.nan: 2}, {math.inf: 1}])
def test_summarise_counted_refuses_what_summarise_refuses(counts):
    with pytest.raises(ValueError):
        summarise_counted(counts)
