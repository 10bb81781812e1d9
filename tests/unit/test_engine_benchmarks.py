"""Benchmarks across members, and each member's rank and percentile."""

import pytest

from maturity.engine import Benchmark, Rank, benchmark, ranks


@pytest.mark.parametrize(
    ("member_means", "expected"),
    [
        ({1: 2.0, 2: 3.0, 3: 4.0, 4: 1.0}, Benchmark(4, 2.5, 1.75, 3.25, 1.0, 4.0)),
        ({7: 2.6}, Benchmark(1, 2.6, 2.6, 2.6, 2.6, 2.6)),
        ({1: 1.0, 2: 2.0, 3: 3.5, 4: 7.0, 5: 5.0}, Benchmark(5, 3.5, 2.0, 5.0, 1.0, 7.0)),
        ({1: 3.0, 2: 3.0, 3: 1.0}, Benchmark(3, 3.0, 2.0, 3.0, 1.0, 3.0)),
    ],
)
def test_benchmark(member_means, expected):
    assert benchmark(member_means) == expected


def test_a_benchmark_needs_members():
    with pytest.raises(ValueError):
        benchmark({})


@pytest.mark.parametrize(
    ("member_means", "expected"),
    [
        (
            {1: 3.0, 2: 2.5, 3: 2.5, 4: 1.0},
            {1: Rank(1, 100.0), 2: Rank(2, 100 / 3), 3: Rank(2, 100 / 3), 4: Rank(4, 0.0)},
        ),
        (
            {1: 2.0, 2: 3.5, 3: 3.5, 4: 3.5, 5: 1.5},
            {
                1: Rank(4, 25.0),
                2: Rank(1, 50.0),
                3: Rank(1, 50.0),
                4: Rank(1, 50.0),
                5: Rank(5, 0.0),
            },
        ),
        ({1: 2.0, 2: 2.0}, {1: Rank(1, 0.0), 2: Rank(1, 0.0)}),
        ({1: 1.0, 2: 4.0}, {1: Rank(2, 0.0), 2: Rank(1, 100.0)}),
        ({9: 2.2}, {9: Rank(1, None)}),
        ({}, {}),
    ],
)
def test_ranks_share_the_best_rank_on_ties(member_means, expected):
    assert ranks(member_means) == expected


def test_ranks_refuse_a_non_finite_mean():
    with pytest.raises(ValueError):
        ranks({1: 2.0, 2: float("nan")})
