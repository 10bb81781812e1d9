"""The coordinator's perspective breakdown: every option listed, the rows adding up to the
shown total, nothing about fewer than k shown, and no hidden cell recoverable by subtraction.

The suppression rule is the engine's (tests/unit/test_engine_suppression.py); these tables pin
down how the participation page applies it.
"""

from itertools import product

import pytest

from surveys.responses.counts import NO_ANSWER_LABEL, breakdown_rows

OPTIONS = [("staff", "The council"), ("partner", "A partner"), ("resident", "A resident")]
N = None  # a cell that is not shown

CASES = [
    # (counts by value, submitted, k, list "Did not say", expected counts in row order)
    ({"staff": 6, "partner": 5, "resident": 5}, 16, 5, False, [6, 5, 5]),
    # One small group alone could be recovered from the total: hide the next smallest too.
    ({"staff": 9, "partner": 6, "resident": 2}, 17, 5, False, [9, N, N]),
    # Two small groups that add up to at least k: only their sum is known.
    ({"staff": 9, "partner": 3, "resident": 3}, 15, 5, False, [9, N, N]),
    # Two small groups adding up to fewer than k would be a figure about too few: hide more.
    ({"staff": 9, "partner": 3, "resident": 1}, 13, 5, False, [N, N, N]),
    # Nobody in a group is shown as 0 (it is about nobody) and never hidden as a complement.
    ({"staff": 12}, 12, 5, False, [12, 0, 0]),
    ({"staff": 12, "resident": 3}, 15, 5, False, [N, 0, N]),
    # Answers outside the options, or none, make "Did not say", so the rows add up.
    ({"staff": 6, "partner": 5, "other": 5}, 16, 5, False, [6, 5, 0, 5]),
    # Ties: the first by value is the complement ("partner" before "staff").
    ({"staff": 6, "partner": 6}, 14, 5, False, [6, N, 0, N]),
    ({"staff": 6, "partner": 6}, 12, 5, True, [6, 6, 0, 0]),
    # The threshold is the collaborative's k.
    ({"staff": 4, "partner": 3}, 7, 3, False, [4, 3, 0]),
    ({"staff": 4, "partner": 3}, 7, 5, False, [N, N, 0]),
]


@pytest.mark.parametrize(("counts", "submitted", "k", "no_answer", "expected"), CASES)
def test_breakdown_rows(counts, submitted, k, no_answer, expected):
    breakdown = breakdown_rows(OPTIONS, counts, submitted, k, list_no_answer=no_answer)
    labels = [label for _value, label in OPTIONS]
    if len(expected) > len(OPTIONS):
        labels.append(NO_ANSWER_LABEL)
    assert [row.label for row in breakdown.rows] == labels
    assert [row.count for row in breakdown.rows] == expected
    assert breakdown.total == submitted and not breakdown.is_withheld


@pytest.mark.parametrize(("submitted", "k"), [(0, 5), (4, 5), (2, 3)])
def test_fewer_than_k_submitted_is_not_broken_down(submitted, k):
    breakdown = breakdown_rows(OPTIONS, {"staff": submitted}, submitted, k, list_no_answer=True)
    assert breakdown.is_withheld and breakdown.rows == []


@pytest.mark.parametrize("k", [3, 5])
def test_no_small_group_is_shown_and_no_hidden_one_can_be_worked_out(k):
    for staff, partner, resident, other in product(range(8), repeat=4):
        counts = {"staff": staff, "partner": partner, "resident": resident, "other": other}
        submitted = sum(counts.values())
        rows = breakdown_rows(OPTIONS, counts, submitted, k, list_no_answer=False).rows
        if submitted < k:
            assert rows == []
            continue
        true = [staff, partner, resident] + ([other] if len(rows) == 4 else [])
        assert len(rows) == 3 + (other > 0)
        shown = [row.count for row in rows]
        assert all(s is None or s == t for s, t in zip(shown, true, strict=True))
        assert all(s is None or s == 0 or s >= k for s in shown), counts
        hidden = [t for s, t in zip(shown, true, strict=True) if s is None]
        # The reader knows the total and that hidden groups are not empty: with one hidden
        # group, or hidden groups adding up to fewer than k, they would learn too much.
        assert not hidden or (len(hidden) > 1 and sum(hidden) >= k), (counts, shown)
