"""P1: a full recompute of the measured round (every member's results and the benchmarks,
no charts), against the database's own GROUP BY over the same rows (the floor) and pandas
reading the same rows and grouping them (what an analyst would do).

Both references compute what the recompute's inputs hold: per member and dimension the
n, mean, sd and quartiles of the respondents' stored scores (this round and the previous
one, for the change), and per member and item the count of every answer value, with the
same sort memory (work_mem) as the recompute's reads.
"""

import time

import pandas as pd
import sqlalchemy as sa

from maturity.db import db
from surveys.responses.models import Answer, Response, ResponseScore, ResponseStatus
from surveys.results.inputs import READ_WORK_MEM
from surveys.rounds.models import Participation
from tests.bench.context import BenchContext
from tests.bench.outcome import Outcome, Reference
from tests.bench.recompute_run import shared_recompute

FLOOR_RATIO = 2.0
QUARTILES = (0.25, 0.5, 0.75)


def _rounds_read(context: BenchContext) -> list[int]:
    """The measured round and the one before it (the recompute reads both)."""
    return context.dataset.round_ids[-2:]


def _submitted_in(round_ids: list[int]):
    return sa.and_(
        Participation.round_id.in_(round_ids), Response.status == ResponseStatus.SUBMITTED
    )


def score_rows(round_ids: list[int]) -> sa.Select:
    """Every submitted respondent's dimension scores in the given rounds."""
    return (
        sa.select(ResponseScore.participation_id, ResponseScore.dimension_key, ResponseScore.score)
        .join(Response, Response.id == ResponseScore.response_id)
        .join(Participation, Participation.id == ResponseScore.participation_id)
        .where(_submitted_in(round_ids))
    )


def answer_rows(round_id: int) -> sa.Select:
    """Every submitted answer in the round, with its member."""
    return (
        sa.select(Response.participation_id, Answer.item_id, Answer.value)
        .join(Response, Response.id == Answer.response_id)
        .join(Participation, Participation.id == Response.participation_id)
        .where(_submitted_in([round_id]))
    )


def sql_dimension_figures(round_ids: list[int]) -> sa.Select:
    """n, mean, sd and quartiles per member and dimension, computed by PostgreSQL."""
    score = ResponseScore.score
    return (
        sa.select(
            ResponseScore.participation_id,
            ResponseScore.dimension_key,
            sa.func.count(),
            sa.func.avg(score),
            sa.func.stddev_samp(score),
            sa.func.percentile_cont(sa.literal(list(QUARTILES))).within_group(score),
        )
        .join(Response, Response.id == ResponseScore.response_id)
        .join(Participation, Participation.id == ResponseScore.participation_id)
        .where(_submitted_in(round_ids))
        .group_by(ResponseScore.participation_id, ResponseScore.dimension_key)
    )


def sql_item_counts(round_id: int) -> sa.Select:
    """How often each value was given per member and item, counted by PostgreSQL."""
    return (
        sa.select(Response.participation_id, Answer.item_id, Answer.value, sa.func.count())
        .join(Response, Response.id == Answer.response_id)
        .join(Participation, Participation.id == Response.participation_id)
        .where(_submitted_in([round_id]))
        .group_by(Response.participation_id, Answer.item_id, Answer.value)
    )


def _same_work_mem(connection) -> None:
    """The references get the sort memory the recompute gives itself."""
    connection.execute(sa.select(sa.func.set_config("work_mem", READ_WORK_MEM, True)))


def time_sql_floor(context: BenchContext) -> float:
    """Seconds for PostgreSQL to compute both aggregates and hand them over."""
    started = time.perf_counter()
    with db.engine.connect() as connection:
        _same_work_mem(connection)
        connection.execute(sql_dimension_figures(_rounds_read(context))).all()
        connection.execute(sql_item_counts(context.dataset.latest_round_id)).all()
    return time.perf_counter() - started


def time_pandas(context: BenchContext) -> float:
    """Seconds for pandas to read the same rows and group them into the same figures."""
    started = time.perf_counter()
    with db.engine.connect() as connection:
        _same_work_mem(connection)
        scores = pd.read_sql(score_rows(_rounds_read(context)), connection)
        answers = pd.read_sql(answer_rows(context.dataset.latest_round_id), connection)
    groups = scores.groupby(["participation_id", "dimension_key"])["score"]
    figures = groups.agg(["count", "mean", "std"])
    quartiles = groups.quantile(list(QUARTILES)).unstack()
    counts = answers.groupby(["participation_id", "item_id", "value"]).size()
    if figures.empty or quartiles.empty or counts.empty:
        raise RuntimeError("pandas found no rows to group")
    return time.perf_counter() - started


def measure(context: BenchContext) -> Outcome:
    """Time the recompute against the SQL floor and pandas, on warm caches."""
    with context.app.app_context():
        time_sql_floor(context)  # warm the caches so that no contender pays for the disk
        floor = min(time_sql_floor(context) for _ in range(2))
        analyst = time_pandas(context)
    run = shared_recompute(context)
    return Outcome(
        measure="P1",
        what=f"full recompute of {context.dataset.latest_round_reference} (flask recompute)",
        figure=run.seconds,
        unit="s",
        references=[
            Reference("raw SQL GROUP BY (floor)", floor, "s"),
            Reference("pandas read + groupby", analyst, "s"),
        ],
        target=f"≤ {FLOOR_RATIO:g}× SQL and < pandas",
        met=run.seconds <= FLOOR_RATIO * floor and run.seconds < analyst,
    )
