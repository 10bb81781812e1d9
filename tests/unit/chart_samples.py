"""Chart figures for drawing tests: one realistic example of every kind."""

from maturity.charts.figures import (
    BenchmarkBar,
    BenchmarkChart,
    BreakdownChart,
    BreakdownGroup,
    DistributionChart,
    HeatmapChart,
    MomentumChart,
    MomentumPoint,
    ProfileChart,
    TrendChart,
    TrendSeries,
)

LEVELS = ("Emerging", "Developing", "Maturing", "Embedded")
DIMENSIONS = (
    "Collaboration across services",
    "Frontline freedom",
    "Working with communities",
    "Integrated support",
    "Prevention",
    "System leadership",
)


def samples() -> dict[str, object]:
    """One chart of each kind, keyed by kind."""
    return {
        "profile": ProfileChart(
            title="Profile",
            member_label="Ashby Moor",
            level_names=LEVELS,
            dimensions=DIMENSIONS,
            member_means=(2.4, 3.1, None, 1.9, 2.2, 2.8),
            medians=(2.2, 2.5, 2.6, 2.0, 2.1, 2.4),
            q1s=(1.9, 2.2, 2.3, 1.7, 1.8, 2.0),
            q3s=(2.6, 2.9, 2.9, 2.3, 2.5, 2.8),
        ),
        "benchmark": BenchmarkChart(
            title="Benchmark",
            dimension=DIMENSIONS[0],
            level_names=LEVELS,
            bars=(
                BenchmarkBar("Member B", 3.05),
                BenchmarkBar("Ashby Moor", 2.61, is_own=True),
                BenchmarkBar("Brackenfield City Council", 2.4),
                BenchmarkBar("Member A", 1.72),
            ),
            median=2.5,
            q1=2.0,
            q3=2.7,
        ),
        "trend": TrendChart(
            title="Trend",
            member_label="Ashby Moor",
            level_names=LEVELS,
            rounds=("Spring 2024", "Spring 2025", "Spring 2026"),
            series=tuple(
                TrendSeries(name, (1.8 + i / 10, None, 2.4 + i / 10), (2.0, 2.1, 2.2))
                for i, name in enumerate(DIMENSIONS[:4])
            ),
        ),
        "heatmap": HeatmapChart(
            title="Heatmap",
            level_names=LEVELS,
            members=("Ashby Moor", "Brackenfield", "Calder Vale"),
            dimensions=DIMENSIONS,
            levels=((1, 2, 3, 4, 2, 2), (2, None, 2, 3, 1, 1), (4, 3, 2, 1, 2, 3)),
            means=(
                (1.4, 2.0, 3.2, 3.8, 2.9, 2.5),
                (2.1, None, 2.6, 3.0, 1.2, 1.9),
                (3.7, 3.3, 2.2, 1.0, 2.4, 3.1),
            ),
        ),
        "distribution": DistributionChart(
            title="Distribution",
            level_names=LEVELS,
            dimensions=DIMENSIONS[:3],
            counts=((2, 5, 6, 1), (0, 3, 8, 3), (4, 4, 4, 2)),
        ),
        "breakdown": BreakdownChart(
            title="Breakdown",
            attribute="Role",
            level_names=LEVELS,
            dimensions=DIMENSIONS[:3],
            groups=(
                BreakdownGroup("Frontline", (2.1, 2.5, None), (8, 8, None)),
                BreakdownGroup("Senior leader", (2.9, 2.6, 3.0), (6, 6, 6)),
            ),
        ),
        "momentum": MomentumChart(
            title="Momentum",
            point_label="Dimension",
            level_names=LEVELS,
            points=(
                MomentumPoint(DIMENSIONS[0], 2.6, 0.4, 0.1, 0.7, "rising", is_own=True),
                MomentumPoint(DIMENSIONS[1], 2.1, -0.05, -0.3, 0.2, "steady"),
                MomentumPoint(DIMENSIONS[2], 1.8, -0.5, -0.8, -0.2, "falling"),
            ),
        ),
    }
