"""A mean's level: the highest band floor it reaches."""

import math

import pytest

from maturity.engine import default_band_floors, level_for, levels_for, summarise

DEFAULT_4 = default_band_floors(4)
CUSTOM = [1.0, 1.8, 2.6, 3.4]


def test_default_floors_are_the_level_numbers():
    assert default_band_floors(4) == [1.0, 2.0, 3.0, 4.0]
    assert default_band_floors(1) == [1.0]


@pytest.mark.parametrize(
    ("mean", "floors", "expected"),
    [
        (1.0, DEFAULT_4, 1),
        (1.99, DEFAULT_4, 1),
        (2.0, DEFAULT_4, 2),
        (2.5, DEFAULT_4, 2),
        (3.999, DEFAULT_4, 3),
        (4.0, DEFAULT_4, 4),
        (4.6, DEFAULT_4, 4),  # clamped to L
        (0.5, DEFAULT_4, 1),  # clamped to 1
        (3.0 - 1e-12, DEFAULT_4, 3),  # one rounding error short still reaches the floor
        (3.0 - 1e-6, DEFAULT_4, 2),
        (1.79, CUSTOM, 1),
        (1.8, CUSTOM, 2),
        (2.6, CUSTOM, 3),
        (3.39, CUSTOM, 3),
        (3.4, CUSTOM, 4),
        (0.9, [1.5, 2.5], 1),  # below every floor is still level 1
    ],
)
def test_level_for(mean, floors, expected):
    assert level_for(mean, floors) == expected


def test_a_mean_that_is_exactly_a_floor_is_not_dropped_by_rounding():
    # Exactly (14 + 30 + 30 + 30) / 13 / 4 = 2, but the stored scores are rounded floats.
    mean = summarise([14 / 13, 30 / 13, 30 / 13, 30 / 13]).mean
    assert mean < 2.0
    assert level_for(mean, DEFAULT_4) == 2


@pytest.mark.parametrize(
    ("mean", "floors"),
    [
        (2.0, []),
        (2.0, [1.0, 1.0, 2.0]),
        (2.0, [1.0, 3.0, 2.0]),
        (2.0, [1.0, math.nan]),
        (math.nan, DEFAULT_4),
        (math.inf, DEFAULT_4),
    ],
)
def test_bad_floors_and_means_are_refused(mean, floors):
    with pytest.raises(ValueError):
        level_for(mean, floors)


def test_levels_for_places_many_means_as_level_for_places_each():
    means = [0.5, 1.0, 1.99, 2.0, 3.0 - 1e-12, 3.0 - 1e-6, 3.5, 4.6]
    for floors in (DEFAULT_4, CUSTOM):
        assert levels_for(means, floors) == [level_for(mean, floors) for mean in means]
    assert levels_for(means, DEFAULT_4) == [1, 1, 1, 2, 3, 2, 3, 4]
    assert levels_for([], DEFAULT_4) == []


@pytest.mark.parametrize(
    ("means", "floors"),
    [([2.0, math.nan], DEFAULT_4), ([2.0, math.inf], DEFAULT_4), ([2.0], [2.0, 1.0]), ([2.0], [])],
)
def test_levels_for_refuses_what_level_for_refuses(means, floors):
    with pytest.raises(ValueError):
        levels_for(means, floors)
