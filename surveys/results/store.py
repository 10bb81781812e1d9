"""Write computed results: each member's rows are replaced whole, in the caller's
transaction, so a retried or repeated job leaves exactly one row per key."""

from typing import Any

import sqlalchemy as sa

from maturity.db import db, utcnow
from maturity.engine import benchmark, ranks
from maturity.results.models import (
    ALL_RESPONDENTS,
    OVERALL,
    BenchmarkResult,
    DimensionResult,
    ItemResult,
    ParticipationResult,
)
from surveys.results.compute import ParticipationFigures, ParticipationInputs


def _owner_columns(inputs: ParticipationInputs) -> dict[str, int]:
    return {
        "participation_id": inputs.participation_id,
        "round_id": inputs.round_id,
        "collaborative_id": inputs.collaborative_id,
        "organisation_id": inputs.organisation_id,
    }


def _column_default(column: sa.Column) -> Any:
    default = column.default
    if default is None:
        return None
    return default.arg if default.is_scalar else default.arg(None)


def _rows(model, computed: list[tuple[ParticipationInputs, list[dict[str, Any]]]]) -> list[dict]:
    """Result rows with their owner and version columns, each row with every column: an
    executemany takes its columns from the first row, and a suppressed row has no figures."""
    columns = [c for c in model.__table__.columns if c.key != "id"]
    defaults = {c.key: _column_default(c) for c in columns}
    rows = []
    for inputs, figures in computed:
        fixed = {**_owner_columns(inputs), "computed_from_version": inputs.answers_version}
        for row in figures:
            full = {**defaults, **fixed, **row}
            rows.append({c.key: full[c.key] for c in columns})
    return rows


def replace_results(computed: list[tuple[ParticipationInputs, ParticipationFigures]]) -> None:
    """Swap the stored results of several members for freshly computed ones, in a handful of
    statements whatever the number of members."""
    if not computed:
        return
    ids = [inputs.participation_id for inputs, _ in computed]
    for model in (DimensionResult, ItemResult, ParticipationResult):
        db.session.execute(sa.delete(model).where(model.participation_id.in_(ids)))
    dimensions = _rows(DimensionResult, [(i, f.dimensions) for i, f in computed])
    items = _rows(ItemResult, [(i, f.items) for i, f in computed])
    now = utcnow()
    overall = _rows(
        ParticipationResult, [(i, [{**f.overall, "computed_at": now}]) for i, f in computed]
    )
    for model, rows in ((DimensionResult, dimensions), (ItemResult, items)):
        _insert_many(model, rows)
    _insert_many(ParticipationResult, overall)
    db.session.flush()


def _insert_many(model, rows: list[dict[str, Any]]) -> None:
    """Insert rows in one executemany (pipelined by psycopg on PostgreSQL)."""
    if rows:
        db.session.execute(sa.insert(model.__table__), rows)


def replace_participation_results(
    inputs: ParticipationInputs, computed: ParticipationFigures
) -> None:
    """Swap a member's stored results for freshly computed ones."""
    replace_results([(inputs, computed)])


def _member_means(round_id: int) -> dict[str, dict[int, float]]:
    rows = db.session.execute(
        sa.select(
            DimensionResult.dimension_key, DimensionResult.participation_id, DimensionResult.mean
        ).where(
            DimensionResult.round_id == round_id,
            DimensionResult.segment == ALL_RESPONDENTS,
            DimensionResult.suppressed.is_(False),
        )
    )
    means: dict[str, dict[int, float]] = {}
    for key, participation_id, mean in rows:
        means.setdefault(key, {})[participation_id] = mean
    overall = db.session.execute(
        sa.select(ParticipationResult.participation_id, ParticipationResult.overall_mean).where(
            ParticipationResult.round_id == round_id, ParticipationResult.suppressed.is_(False)
        )
    )
    means[OVERALL] = dict(overall.all())
    return means


def _store_ranks(round_id: int, key: str, member_means: dict[int, float]) -> None:
    if key == OVERALL:
        return
    updates = [
        {"pid": pid, "new_rank": rank.rank, "new_percentile": rank.percentile}
        for pid, rank in ranks(member_means).items()
    ]
    if not updates:
        return
    db.session.connection().execute(
        sa.update(DimensionResult)
        .where(
            DimensionResult.round_id == round_id,
            DimensionResult.dimension_key == key,
            DimensionResult.segment == ALL_RESPONDENTS,
            DimensionResult.participation_id == sa.bindparam("pid"),
        )
        .values(rank=sa.bindparam("new_rank"), percentile=sa.bindparam("new_percentile")),
        updates,
    )


def replace_benchmarks(round_id: int, collaborative_id: int) -> None:
    """Recompute the round's benchmarks and every member's rank from stored member results."""
    versions = {
        str(pid): version
        for pid, version in db.session.execute(
            sa.select(
                ParticipationResult.participation_id, ParticipationResult.computed_from_version
            ).where(ParticipationResult.round_id == round_id)
        )
    }
    db.session.execute(sa.delete(BenchmarkResult).where(BenchmarkResult.round_id == round_id))
    for key, member_means in _member_means(round_id).items():
        _store_ranks(round_id, key, member_means)
        row = {"n_members": len(member_means)}
        if member_means:
            spread = benchmark(member_means)
            row.update(
                median=spread.median,
                q1=spread.q1,
                q3=spread.q3,
                minimum=spread.minimum,
                maximum=spread.maximum,
            )
        db.session.add(
            BenchmarkResult(
                round_id=round_id,
                collaborative_id=collaborative_id,
                dimension_key=key,
                computed_from=versions,
                **row,
            )
        )
    db.session.flush()
