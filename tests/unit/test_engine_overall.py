"""Overall maturity from the dimension means, through the registry of scoring methods."""

import math

import pytest

from maturity.engine import REGISTRY, overall_score

MEANS = {"vision": 3.0, "data": 1.5, "people": 2.25}


def test_the_registry_holds_the_framework_scoring_methods():
    assert set(REGISTRY) == {"mean", "weakest_link"}


@pytest.mark.parametrize(
    ("method", "weights", "expected"),
    [
        ("mean", None, 6.75 / 3),
        ("mean", {}, 6.75 / 3),
        ("mean", {"vision": 2.0, "data": 1.0, "people": 1.0}, (6.0 + 1.5 + 2.25) / 4),
        ("mean", {"vision": 3.0}, (9.0 + 1.5 + 2.25) / 5),  # unweighted dimensions weigh 1
        ("mean", {"vision": 1.0, "elsewhere": 9.0}, 6.75 / 3),  # weights of absent dimensions
        ("weakest_link", None, 1.5),
        ("weakest_link", {"data": 10.0}, 1.5),  # weights do not rescue the weakest link
    ],
)
def test_overall_score(method, weights, expected):
    assert math.isclose(overall_score(method, MEANS, weights), expected, rel_tol=1e-12)


@pytest.mark.parametrize("method", sorted(REGISTRY))
def test_every_method_stays_within_the_dimension_means(method):
    assert min(MEANS.values()) <= overall_score(method, MEANS) <= max(MEANS.values())
    assert overall_score(method, {"only": 2.5}) == 2.5


@pytest.mark.parametrize(
    ("method", "means", "weights"),
    [
        ("median", MEANS, None),
        ("mean", {}, None),
        ("weakest_link", {}, None),
        ("mean", {"a": math.nan}, None),
        ("mean", MEANS, {"vision": 0.0}),
        ("mean", MEANS, {"vision": -1.0}),
    ],
)
def test_unknown_methods_and_bad_inputs_are_refused(method, means, weights):
    with pytest.raises(ValueError):
        overall_score(method, means, weights)
