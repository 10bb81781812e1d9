"""The figures each chart kind draws: plain frozen dataclasses, no ORM and no matplotlib.

A chart's data is assembled from the result tables (see ``surveys.charts``); everything a
page needs besides the image comes from here: the alt text and the table of exactly the
figures drawn (``(headers, rows)``, also offered as CSV). Pages import this module; only
workers import the drawing modules, so a page view never loads matplotlib.

Scores are on the framework's level scale (1..L). ``None`` means "not reported" (a group
smaller than the collaborative's minimum size): such a figure is neither drawn nor listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

Row = list[Any]
Table = tuple[list[str], list[Row]]


def rounded(value: float | None, places: int = 2) -> float | None:
    """A figure as the table and alt text show it."""
    return None if value is None else round(value, places)


@dataclass(frozen=True)
class ProfileChart:
    """Member profile: the member's dimension means against the collaborative median and
    interquartile band (drawn as a radar)."""

    kind: ClassVar[str] = "profile"
    title: str
    member_label: str
    level_names: tuple[str, ...]
    dimensions: tuple[str, ...]
    member_means: tuple[float | None, ...]
    medians: tuple[float | None, ...]
    q1s: tuple[float | None, ...]
    q3s: tuple[float | None, ...]
    caption: str = ""

    def table(self) -> Table:
        """One row per dimension: the member's mean, the median and the quartiles."""
        headers = ["Dimension", self.member_label, "Median", "Lower quartile", "Upper quartile"]
        rows = [
            [name, *(rounded(v) for v in values)]
            for name, *values in zip(
                self.dimensions, self.member_means, self.medians, self.q1s, self.q3s, strict=True
            )
        ]
        return headers, rows

    def alt_text(self) -> str:
        """What the radar shows, in words."""
        shown = [
            (m, d) for d, m in zip(self.dimensions, self.member_means, strict=True) if m is not None
        ]
        text = (
            f"Radar chart of {self.member_label}'s mean score on {len(self.dimensions)} "
            f"dimensions (scale 1 to {len(self.level_names)}), against the collaborative "
            "median and interquartile range."
        )
        if shown:
            high, low = max(shown), min(shown)
            text += f" Highest: {high[1]} ({high[0]:.2f}). Lowest: {low[1]} ({low[0]:.2f})."
        above = sum(
            1
            for m, med in zip(self.member_means, self.medians, strict=True)
            if m is not None and med is not None and m > med
        )
        if any(med is not None for med in self.medians):
            text += f" Above the median on {above} of {len(self.dimensions)} dimensions."
        return text


@dataclass(frozen=True)
class BenchmarkBar:
    """One member's mean on a dimension; ``is_own`` marks the viewer's own member."""

    label: str
    mean: float
    is_own: bool = False


@dataclass(frozen=True)
class BenchmarkChart:
    """Every reportable member's mean on one dimension, highest first, with the
    collaborative's quartile band (``None`` when too few members to show one)."""

    kind: ClassVar[str] = "benchmark"
    title: str
    dimension: str
    level_names: tuple[str, ...]
    bars: tuple[BenchmarkBar, ...]
    median: float | None
    q1: float | None
    q3: float | None
    caption: str = ""

    def table(self) -> Table:
        """One row per member (highest first), then the median and quartiles."""
        rows: list[Row] = [[bar.label, rounded(bar.mean)] for bar in self.bars]
        for name, value in (
            ("Median of members", self.median),
            ("Lower quartile", self.q1),
            ("Upper quartile", self.q3),
        ):
            if value is not None:
                rows.append([name, rounded(value)])
        return ["Member", "Mean score"], rows

    def alt_text(self) -> str:
        """Where the members (and the viewer's own) stand on the dimension."""
        text = (
            f"Bar chart of {len(self.bars)} members' mean scores on {self.dimension}, "
            "highest first."
        )
        if self.median is not None:
            text += (
                f" Median {self.median:.2f}; the middle half of members score "
                f"{self.q1:.2f} to {self.q3:.2f}."
            )
        for bar in self.bars:
            if bar.is_own:
                text += f" {bar.label} scores {bar.mean:.2f}, {self.position(bar.mean)}."
        return text

    def position(self, mean: float) -> str:
        """Where a mean sits against the collaborative's quartiles, not a rank: the product
        compares members with the spread of their peers, it does not rank them."""
        if self.q1 is None or self.q3 is None or self.median is None:
            return "with too few members to show their spread"
        if mean > self.q3:
            return "above the middle half of members"
        if mean < self.q1:
            return "below the middle half of members"
        side = "above" if mean > self.median else "below" if mean < self.median else "at"
        return f"within the middle half of members, {side} the median"


@dataclass(frozen=True)
class TrendSeries:
    """One dimension across rounds: the member's mean and the collaborative median."""

    dimension: str
    member_means: tuple[float | None, ...]
    medians: tuple[float | None, ...]


@dataclass(frozen=True)
class TrendChart:
    """The member's dimension means across rounds, with the collaborative median."""

    kind: ClassVar[str] = "trend"
    title: str
    member_label: str
    level_names: tuple[str, ...]
    rounds: tuple[str, ...]
    series: tuple[TrendSeries, ...]
    caption: str = ""

    def table(self) -> Table:
        """One row per dimension and round."""
        rows = [
            [s.dimension, round_name, rounded(mean), rounded(median)]
            for s in self.series
            for round_name, mean, median in zip(self.rounds, s.member_means, s.medians, strict=True)
        ]
        return ["Dimension", "Round", self.member_label, "Median of members"], rows

    def alt_text(self) -> str:
        """How each dimension moved between the first and the latest round shown."""
        text = (
            f"Line charts of {self.member_label}'s mean score on {len(self.series)} dimensions "
            f"across {len(self.rounds)} rounds ({', '.join(self.rounds)}), with the median "
            "of members."
        )
        moves = []
        for s in self.series:
            shown = [m for m in s.member_means if m is not None]
            if len(shown) >= 2:
                moves.append(f"{s.dimension} {shown[0]:.2f} to {shown[-1]:.2f}")
        if moves:
            text += " " + "; ".join(moves) + "."
        return text


@dataclass(frozen=True)
class HeatmapChart:
    """Members × dimensions, each cell the member's level (``None``: not reported) and the
    mean score behind it."""

    kind: ClassVar[str] = "heatmap"
    title: str
    level_names: tuple[str, ...]
    members: tuple[str, ...]
    dimensions: tuple[str, ...]
    levels: tuple[tuple[int | None, ...], ...]
    means: tuple[tuple[float | None, ...], ...]
    caption: str = ""

    def level_name(self, level: int | None) -> str | None:
        """``2 Developing`` for level 2; ``None`` when not reported."""
        return None if level is None else f"{level} {self.level_names[level - 1]}"

    def cell_text(self, mean: float | None) -> str:
        """What a cell shows: the mean to one decimal (2.0 and 2.9 are both level 2, and
        read differently), a dash when not reported."""
        return "–" if mean is None else f"{mean:.1f}"

    def table(self) -> Table:
        """One row per member, one column per dimension: the level as a numbered name and
        the mean the cell shows."""
        rows = [
            [
                member,
                *(
                    None if level is None else f"{self.level_name(level)} (mean {mean:.1f})"
                    for level, mean in zip(levels, means, strict=True)
                ),
            ]
            for member, levels, means in zip(self.members, self.levels, self.means, strict=True)
        ]
        return ["Member", *self.dimensions], rows

    def alt_text(self) -> str:
        """How many cells sit at each level."""
        counts = dict.fromkeys(range(1, len(self.level_names) + 1), 0)
        for levels in self.levels:
            for level in levels:
                if level is not None:
                    counts[level] += 1
        spread = ", ".join(f"{n} at {self.level_name(level)}" for level, n in counts.items() if n)
        return (
            f"Heatmap of the maturity level of {len(self.members)} members on "
            f"{len(self.dimensions)} dimensions: {spread or 'no levels reported'}."
        )


@dataclass(frozen=True)
class DistributionChart:
    """How the member's respondents spread over the levels, per dimension (stacked)."""

    kind: ClassVar[str] = "distribution"
    title: str
    level_names: tuple[str, ...]
    dimensions: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    caption: str = ""

    def shares(self, counts: tuple[int, ...]) -> list[float]:
        """Each level's percentage of the dimension's respondents."""
        total = sum(counts)
        return [100 * n / total if total else 0.0 for n in counts]

    def table(self) -> Table:
        """One row per dimension: respondents, then each level's percentage."""
        rows = [
            [name, sum(counts), *(round(p) for p in self.shares(counts))]
            for name, counts in zip(self.dimensions, self.counts, strict=True)
        ]
        headers = ["Dimension", "Respondents", *(f"{name} (%)" for name in self.level_names)]
        return headers, rows

    def alt_text(self) -> str:
        """The most common level on each dimension."""
        parts = []
        for name, counts in zip(self.dimensions, self.counts, strict=True):
            shares = self.shares(counts)
            top = max(range(len(shares)), key=shares.__getitem__)
            parts.append(f"{name}: {self.level_names[top]} {shares[top]:.0f}%")
        return (
            "Stacked bar chart of the share of respondents at each level on "
            f"{len(self.dimensions)} dimensions. Most common level: " + "; ".join(parts) + "."
        )


@dataclass(frozen=True)
class BreakdownGroup:
    """One group of respondents (e.g. frontline staff) and its mean on each dimension."""

    label: str
    means: tuple[float | None, ...]
    ns: tuple[int | None, ...]


@dataclass(frozen=True)
class BreakdownChart:
    """Dimension means by a respondent attribute (role band, perspective): one dot per
    group per dimension; groups smaller than the minimum size are absent."""

    kind: ClassVar[str] = "breakdown"
    title: str
    attribute: str
    level_names: tuple[str, ...]
    dimensions: tuple[str, ...]
    groups: tuple[BreakdownGroup, ...]
    caption: str = ""

    def table(self) -> Table:
        """One row per dimension and reported group."""
        rows = [
            [name, group.label, group.ns[i], rounded(group.means[i])]
            for i, name in enumerate(self.dimensions)
            for group in self.groups
            if group.means[i] is not None
        ]
        return ["Dimension", self.attribute, "Respondents", "Mean score"], rows

    def alt_text(self) -> str:
        """Which group scores highest and lowest overall, and the widest gap."""
        text = (
            f"Dot chart of mean scores on {len(self.dimensions)} dimensions by "
            f"{self.attribute.lower()}: {', '.join(g.label for g in self.groups)}."
        )
        gaps = []
        for i, name in enumerate(self.dimensions):
            shown = [(g.means[i], g.label) for g in self.groups if g.means[i] is not None]
            if len(shown) >= 2:
                gaps.append((max(shown)[0] - min(shown)[0], name, max(shown), min(shown)))
        if gaps:
            gap, name, high, low = max(gaps)
            text += (
                f" Widest gap on {name}: {high[1]} {high[0]:.2f}, {low[1]} {low[0]:.2f} "
                f"({gap:.2f} apart)."
            )
        return text


@dataclass(frozen=True)
class MomentumPoint:
    """Where something stands (mean) and how it moved since the previous round, with the
    95% confidence interval of the change."""

    label: str
    mean: float
    change: float
    ci_low: float
    ci_high: float
    direction: str
    is_own: bool = False


@dataclass(frozen=True)
class MomentumChart:
    """Level against change since the previous round, with uncertainty: one point per
    dimension (a member's view) or per member (the convenor's). Not a league table."""

    kind: ClassVar[str] = "momentum"
    title: str
    point_label: str
    level_names: tuple[str, ...]
    points: tuple[MomentumPoint, ...]
    caption: str = ""

    def table(self) -> Table:
        """One row per point: its number on the chart, mean, change, its interval and the
        direction shown."""
        headers = [
            "Key",
            self.point_label,
            "Mean score",
            "Change since previous round",
            "95% CI low",
            "95% CI high",
            "Direction",
        ]
        rows = [
            [
                number,
                p.label,
                rounded(p.mean),
                rounded(p.change),
                rounded(p.ci_low),
                rounded(p.ci_high),
                p.direction,
            ]
            for number, p in enumerate(self.points, start=1)
        ]
        return headers, rows

    def alt_text(self) -> str:
        """How many points rose, held steady or fell."""
        directions = [p.direction for p in self.points]
        counts = ", ".join(f"{directions.count(d)} {d}" for d in ("rising", "steady", "falling"))
        return (
            f"Scatter chart of {len(self.points)} {self.point_label.lower()} points: mean "
            "score against change since the previous round, with 95% confidence intervals. "
            f"{counts.capitalize()}."
        )


Chart = (
    ProfileChart
    | BenchmarkChart
    | TrendChart
    | HeatmapChart
    | DistributionChart
    | BreakdownChart
    | MomentumChart
)

CHART_TYPES: dict[str, type] = {
    cls.kind: cls
    for cls in (
        ProfileChart,
        BenchmarkChart,
        TrendChart,
        HeatmapChart,
        DistributionChart,
        BreakdownChart,
        MomentumChart,
    )
}
