"""The pure scoring engine (§3): plain values and dataclasses in, dataclasses out.

No Flask, no SQLAlchemy, no models: services turn rows into these inputs and store what
comes back.
"""

from maturity.engine.benchmarks import Benchmark, Rank, benchmark, ranks
from maturity.engine.change import Change, Direction, change_between, change_of
from maturity.engine.levels import BAND_TOLERANCE, default_band_floors, level_for, levels_for
from maturity.engine.overall import (
    REGISTRY,
    OverallMethod,
    mean_of_dimensions,
    overall_score,
    weakest_link,
)
from maturity.engine.scoring import (
    DONT_KNOW,
    LIKERT_POINTS,
    ItemKind,
    ScoredItem,
    has_enough_answers,
    respondent_dimension_scores,
    score_answer,
)
from maturity.engine.statistics import (
    CONFIDENCE,
    Summary,
    level_distribution,
    summarise,
    summarise_counted,
)
from maturity.engine.suppression import breakdown, is_recoverable, is_reportable, suppress_cells

__all__ = [
    "BAND_TOLERANCE",
    "CONFIDENCE",
    "DONT_KNOW",
    "LIKERT_POINTS",
    "REGISTRY",
    "Benchmark",
    "Change",
    "Direction",
    "ItemKind",
    "OverallMethod",
    "Rank",
    "ScoredItem",
    "Summary",
    "benchmark",
    "breakdown",
    "change_between",
    "change_of",
    "default_band_floors",
    "has_enough_answers",
    "is_recoverable",
    "is_reportable",
    "level_distribution",
    "level_for",
    "levels_for",
    "mean_of_dimensions",
    "overall_score",
    "ranks",
    "respondent_dimension_scores",
    "score_answer",
    "summarise",
    "summarise_counted",
    "suppress_cells",
    "weakest_link",
]
