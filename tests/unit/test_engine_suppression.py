"""Anonymity: primary and complementary suppression of cells and breakdowns."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maturity.engine import breakdown, is_reportable, summarise, suppress_cells


@pytest.mark.parametrize(
    ("n", "k", "expected"),
    [(5, 5, True), (4, 5, False), (0, 5, False), (100, 5, True), (1, 1, True), (0, 1, False)],
)
def test_is_reportable(n, k, expected):
    assert is_reportable(n, k) is expected


@pytest.mark.parametrize(
    ("counts", "k", "total_is_shown", "expected"),
    [
        # no suppression needed
        ({"a": 5, "b": 6, "c": 7}, 5, True, {"a": 5, "b": 6, "c": 7}),
        ({"a": 3, "b": 4}, 1, True, {"a": 3, "b": 4}),
        # one hidden cell would be the total minus the rest: hide the next smallest too
        ({"a": 3, "b": 10, "c": 12}, 5, True, {"a": None, "b": None, "c": 12}),
        ({"c": 12, "a": 3, "b": 10}, 5, True, {"c": 12, "a": None, "b": None}),
        # without a shown total there is nothing to subtract from
        ({"a": 3, "b": 10, "c": 12}, 5, False, {"a": None, "b": 10, "c": 12}),
        # several hidden cells whose sum is under k: still a figure about too few people
        ({"a": 1, "b": 2, "c": 8, "d": 9}, 5, True, {"a": None, "b": None, "c": None, "d": 9}),
        ({"a": 1, "b": 2, "c": 8, "d": 9}, 5, False, {"a": None, "b": None, "c": 8, "d": 9}),
        # several hidden cells that together reach k: safe as they are
        ({"a": 3, "b": 4, "c": 9}, 5, True, {"a": None, "b": None, "c": 9}),
        # zeros are shown and never used as a complement
        ({"a": 0, "b": 3, "c": 10}, 5, True, {"a": 0, "b": None, "c": None}),
        ({"a": 0, "b": 0, "c": 7}, 5, True, {"a": 0, "b": 0, "c": 7}),
        # equal candidates: the first by name is hidden
        ({"c": 8, "b": 8, "a": 2}, 5, True, {"c": 8, "b": None, "a": None}),
        # fewer than k in the whole table: every non-zero cell hidden
        ({"a": 2, "b": 1, "c": 0}, 5, True, {"a": None, "b": None, "c": 0}),
        ({}, 5, True, {}),
    ],
)
def test_suppress_cells(counts, k, total_is_shown, expected):
    result = suppress_cells(counts, k, total_is_shown)
    assert result == expected
    assert list(result) == list(counts)


@pytest.mark.parametrize(("counts", "k"), [({"a": 3}, 0), ({"a": -1, "b": 7}, 5)])
def test_bad_k_and_negative_counts_are_refused(counts, k):
    with pytest.raises(ValueError):
        suppress_cells(counts, k, total_is_shown=True)


@settings(max_examples=300, deadline=None)
@given(
    counts=st.dictionaries(st.text("abcdef", min_size=1, max_size=2), st.integers(0, 30)),
    k=st.integers(1, 10),
)
def test_no_hidden_cell_can_be_recovered_from_a_shown_total(counts, k):
    result = suppress_cells(counts, k, total_is_shown=True)
    hidden = [counts[cell] for cell, shown in result.items() if shown is None]
    assert all(shown == counts[cell] for cell, shown in result.items() if shown is not None)
    assert not any(0 < shown < k for shown in result.values() if shown is not None)
    if hidden and sum(counts.values()) >= k:
        assert len(hidden) >= 2 and sum(hidden) >= k
    # one complementary cell at most: never more hidden than needed
    assert sum(1 for n in hidden if n >= k) <= 1


FRONTLINE = [2.0, 2.5, 3.0, 2.0, 1.5, 3.0]
MANAGERS = [3.0, 3.5, 2.5]
LEADERS = [4.0, 3.5, 3.0, 3.5, 4.0, 3.0, 2.5]
GROUPS = {"frontline": FRONTLINE, "managers": MANAGERS, "leaders": LEADERS}


@pytest.mark.parametrize(
    ("groups", "k", "shown"),
    [
        ({"frontline": FRONTLINE, "leaders": LEADERS}, 5, {"frontline", "leaders"}),
        # managers are too few; frontline (the smaller other group) hides them from subtraction
        (GROUPS, 5, {"leaders"}),
        (GROUPS, 3, set(GROUPS)),
        ({"frontline": FRONTLINE, "managers": [], "leaders": LEADERS}, 5, {"frontline", "leaders"}),
        ({"managers": MANAGERS}, 5, set()),
    ],
)
def test_breakdown(groups, k, shown):
    result = breakdown(groups, k)
    assert set(result) == set(groups)
    for group, summary in result.items():
        if group in shown:
            assert summary == summarise(groups[group])
        else:
            assert summary is None


def test_breakdown_without_a_shown_total_needs_only_primary_suppression():
    result = breakdown(GROUPS, 5, total_is_shown=False)
    assert result["managers"] is None
    assert result["frontline"] == summarise(FRONTLINE)
    assert result["leaders"] == summarise(LEADERS)
