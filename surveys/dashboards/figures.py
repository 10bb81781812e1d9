"""Shared pieces of the dashboards: the framework's levels and dimensions as plain rows."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from maturity.db import db
from maturity.frameworks.models import Dimension, LevelDescriptor
from maturity.results.models import ALL_RESPONDENTS, BenchmarkResult, DimensionResult
from maturity.tenancy import unscoped
from surveys.rounds.models import Round, RoundState


@dataclass(frozen=True)
class LevelName:
    """A step of the framework's scale."""

    number: int
    name: str

    @property
    def label(self) -> str:
        return f"{self.number} {self.name}"


def level_names(round_: Round) -> dict[int, LevelName]:
    """The round's framework levels by number."""
    return {
        level.number: LevelName(level.number, level.name)
        for level in round_.framework_version.levels
    }


def level_descriptors(round_: Round) -> dict[tuple[int, int], str]:
    """What each dimension of the round's framework looks like at each level, by
    (dimension id, level number), in one query.

    The round was loaded through the tenant scope, so its framework version is in scope;
    the filter is lifted only because, applied to descriptors, it nests a subquery per
    tenant model and makes this small read take a second on PostgreSQL.
    """
    with unscoped():
        rows = db.session.execute(
            sa.select(
                LevelDescriptor.dimension_id, LevelDescriptor.level_number, LevelDescriptor.text
            )
            .join(Dimension, Dimension.id == LevelDescriptor.dimension_id)
            .where(Dimension.version_id == round_.framework_version_id)
        )
        return {(dimension_id, number): text for dimension_id, number, text in rows}


def member_dimension_results(participation_ids: list[int]) -> dict[int, dict[str, DimensionResult]]:
    """Each participation's all-respondent dimension results, by dimension key."""
    if not participation_ids:
        return {}
    rows = db.session.scalars(
        sa.select(DimensionResult).where(
            DimensionResult.participation_id.in_(participation_ids),
            DimensionResult.segment == ALL_RESPONDENTS,
        )
    )
    found: dict[int, dict[str, DimensionResult]] = {}
    for row in rows:
        found.setdefault(row.participation_id, {})[row.dimension_key] = row
    return found


def benchmarks_of(round_id: int) -> dict[str, BenchmarkResult]:
    """The round's benchmark across members, by dimension key (and ``overall``)."""
    rows = db.session.scalars(
        sa.select(BenchmarkResult).where(BenchmarkResult.round_id == round_id)
    )
    return {row.dimension_key: row for row in rows}


def reported_rounds(collaborative_id: int) -> list[Round]:
    """The collaborative's rounds that have started (newest first): those with results."""
    return list(
        db.session.scalars(
            sa.select(Round)
            .where(Round.collaborative_id == collaborative_id, Round.state != RoundState.DRAFT)
            .order_by(Round.opens_at.desc(), Round.id.desc())
        )
    )
