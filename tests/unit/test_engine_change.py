"""Change since the previous round: difference of means, Welch CI, and its direction."""

import math

import pytest
from scipy import stats

from maturity.engine import Change, change_between, change_of, summarise


def test_the_welch_interval_uses_welch_satterthwaite_degrees_of_freedom():
    previous, current = [1.0, 2.0, 3.0], [3.0, 4.0, 5.0, 6.0, 7.0]
    # variances 1 and 2.5 → squared standard errors 1/3 and 1/2
    df = (1 / 3 + 1 / 2) ** 2 / ((1 / 3) ** 2 / 2 + (1 / 2) ** 2 / 4)
    half_width = stats.t.ppf(0.975, df) * math.sqrt(1 / 3 + 1 / 2)
    change = change_between(previous, current)
    assert change.difference == 3.0
    assert math.isclose(change.ci_low, 3.0 - half_width, rel_tol=1e-12)
    assert math.isclose(change.ci_high, 3.0 + half_width, rel_tol=1e-12)
    assert change.direction == "rising"


@pytest.mark.parametrize(
    ("previous", "current", "difference", "ci", "direction"),
    [
        (
            [2.0, 2.5, 3.0, 2.5, 2.0],
            [3.5, 4.0, 3.5, 3.0, 4.0],
            1.2,
            (0.5898886535963214, 1.810111346403679),
            "rising",
        ),
        (
            [3.5, 4.0, 3.5, 3.0, 4.0],
            [2.0, 2.5, 3.0, 2.5, 2.0],
            -1.2,
            (-1.810111346403679, -0.5898886535963214),
            "falling",
        ),
        (
            [2.0, 3.5, 3.0, 2.5, 2.0],
            [2.5, 3.0, 2.5, 2.75],
            0.0875,
            (-0.7106325327167797, 0.8856325327167796),
            "steady",
        ),
        ([3.0, 3.0, 3.0], [3.0, 3.0], 0.0, (0.0, 0.0), "steady"),  # no variation, no change
        ([2.0, 2.0, 2.0], [3.0, 3.0], 1.0, (1.0, 1.0), "rising"),  # no variation, a clear rise
    ],
)
def test_change_between(previous, current, difference, ci, direction):
    change = change_between(previous, current)
    assert math.isclose(change.difference, difference, abs_tol=1e-12)
    assert math.isclose(change.ci_low, ci[0], rel_tol=1e-9, abs_tol=1e-12)
    assert math.isclose(change.ci_high, ci[1], rel_tol=1e-9, abs_tol=1e-12)
    assert change.direction == direction


@pytest.mark.parametrize(
    ("previous", "current", "expected"),
    [
        ([], [3.0, 4.0], Change(None, None, None, "steady")),
        ([2.0, 3.0], [], Change(None, None, None, "steady")),
        ([], [], Change(None, None, None, "steady")),
        ([2.0], [3.0, 4.0, 3.5], Change(1.5, None, None, "steady")),
        ([1.0, 1.5], [4.0], Change(2.75, None, None, "steady")),
    ],
)
def test_too_few_scores_give_no_interval_and_no_direction(previous, current, expected):
    assert change_between(previous, current) == expected


def test_change_of_summaries_is_the_change_between_their_scores():
    previous, current = [1.0, 1.1, 1.2, 1.0], [3.0, 3.1, 3.2, 3.0, 3.1]
    expected = change_between(previous, current)
    assert change_of(summarise(previous), summarise(current)) == expected
    assert expected.direction == "rising"
    assert change_of(summarise([2.0]), summarise([3.0, 4.0])) == Change(1.5, None, None, "steady")
