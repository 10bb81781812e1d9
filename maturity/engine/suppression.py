"""Anonymity (§3): no figure about fewer than k respondents, and no hidden cell recoverable.

Choices, for one-way tables (a breakdown by one attribute, a level distribution):

- **Zero cells are shown.** A zero is about nobody, so it discloses no one; hiding zeros
  would only blur the table. A zero is never chosen as a complementary cell either: hiding
  it adds nothing to the hidden sum.
- **Primary suppression** hides every cell with 0 < n < k.
- **Complementary suppression** applies when the total is shown, since the hidden cells'
  sum is then the total minus the shown cells. While exactly one cell is hidden (its value
  is the remainder) or the hidden cells add up to fewer than k (a figure about fewer than k
  people), the smallest shown non-zero cell is hidden too, ties broken by cell name. Shown
  non-zero cells hold at least k, so one complementary cell is always enough when one exists.
- If the whole table holds fewer than k, every non-zero cell ends up hidden; the total itself
  must then not be shown (``is_reportable``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from maturity.engine.statistics import Summary, summarise


def check_k(k: int) -> None:
    """Refuse a minimum group size below one."""
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"the minimum group size k must be a whole number ≥ 1, not {k!r}")


def is_reportable(n: int, k: int) -> bool:
    """Whether a figure about n respondents may be shown: n ≥ k."""
    check_k(k)
    return n >= k


def is_recoverable(hidden_counts: Sequence[int], k: int) -> bool:
    """Whether subtracting from a shown total would expose hidden cells (one cell, or sum < k)."""
    return len(hidden_counts) == 1 or 0 < sum(hidden_counts) < k


def _complementary(counts: Mapping[str, int], hidden: set[str], k: int) -> set[str]:
    spare = sorted((n, cell) for cell, n in counts.items() if cell not in hidden and n > 0)
    chosen: set[str] = set()
    while hidden and spare and is_recoverable([counts[c] for c in hidden | chosen], k):
        chosen.add(spare.pop(0)[1])
    return chosen


def suppress_cells(
    counts: Mapping[str, int], k: int, total_is_shown: bool
) -> dict[str, int | None]:
    """Return the counts with every unsafe cell replaced by None (primary and complementary)."""
    check_k(k)
    if any(n < 0 for n in counts.values()):
        raise ValueError("cell counts cannot be negative")
    hidden = {cell for cell, n in counts.items() if 0 < n < k}
    if total_is_shown:
        hidden |= _complementary(counts, hidden, k)
    return {cell: None if cell in hidden else n for cell, n in counts.items()}


def breakdown(
    scores_by_group: Mapping[str, Sequence[float]], k: int, total_is_shown: bool = True
) -> dict[str, Summary | None]:
    """Summarise each group, None for a group hidden by suppression or with no scores.

    The groups must partition the respondents behind the shown total (put those who did not
    answer the attribute in a group of their own), or the gap is an unprotected hidden cell.
    """
    sizes = {group: len(scores) for group, scores in scores_by_group.items()}
    shown = suppress_cells(sizes, k, total_is_shown)
    return {
        group: summarise(scores) if shown[group] else None
        for group, scores in scores_by_group.items()
    }
