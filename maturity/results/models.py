"""Result tables. Only jobs write them; pages and exports only read them.

Every row carries the member's answers version it was computed from, so a page can tell
fresh figures from ones still being updated. Figures about fewer than the collaborative's
minimum group size are never stored: such a row has ``suppressed`` set and no figures.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from maturity.db import db, utcnow

if TYPE_CHECKING:
    from maturity.tenancy import TenantScope

ALL_RESPONDENTS = "all"
OVERALL = "overall"


class _CollaborativeScoped:
    """Results are shared inside a collaborative (that is what benchmarking is)."""

    @classmethod
    def tenant_criteria(cls, scope: TenantScope) -> sa.ColumnElement[bool]:
        """Only results of the scope's collaboratives."""
        return cls.collaborative_id.in_(scope.collaborative_ids)


class _Figures:
    """The summary statistics of one group of scores."""

    n: Mapped[int] = mapped_column(default=0)
    mean: Mapped[float | None]
    median: Mapped[float | None]
    q1: Mapped[float | None]
    q3: Mapped[float | None]
    sd: Mapped[float | None]
    ci_low: Mapped[float | None]
    ci_high: Mapped[float | None]
    suppressed: Mapped[bool] = mapped_column(default=False)


class ParticipationResult(_CollaborativeScoped, db.Model):
    """A member's headline result for a round, and the answers version it reflects."""

    __tablename__ = "participation_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(sa.ForeignKey("participations.id"), unique=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id"), index=True)
    collaborative_id: Mapped[int] = mapped_column(sa.ForeignKey("collaboratives.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    n_submitted: Mapped[int] = mapped_column(default=0)
    overall_mean: Mapped[float | None]
    overall_level: Mapped[int | None]
    suppressed: Mapped[bool] = mapped_column(default=True)
    computed_from_version: Mapped[int] = mapped_column(default=0)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


class DimensionResult(_CollaborativeScoped, _Figures, db.Model):
    """A member's result on one dimension, for all respondents or one segment of them."""

    __tablename__ = "dimension_results"
    __table_args__ = (sa.UniqueConstraint("participation_id", "dimension_key", "segment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(sa.ForeignKey("participations.id"))
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id"), index=True)
    collaborative_id: Mapped[int] = mapped_column(sa.ForeignKey("collaboratives.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    dimension_key: Mapped[str] = mapped_column(sa.String(60))
    segment: Mapped[str] = mapped_column(sa.String(160), default=ALL_RESPONDENTS)
    level: Mapped[int | None]
    level_distribution: Mapped[dict[str, int]] = mapped_column(sa.JSON, default=dict)
    rank: Mapped[int | None]
    percentile: Mapped[float | None]
    change_difference: Mapped[float | None]
    change_ci_low: Mapped[float | None]
    change_ci_high: Mapped[float | None]
    change_direction: Mapped[str | None] = mapped_column(sa.String(10))
    computed_from_version: Mapped[int] = mapped_column(default=0)


class ItemResult(_CollaborativeScoped, _Figures, db.Model):
    """A member's result on one scored item (on the level scale)."""

    __tablename__ = "item_results"
    __table_args__ = (sa.UniqueConstraint("participation_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(sa.ForeignKey("participations.id"))
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id"), index=True)
    collaborative_id: Mapped[int] = mapped_column(sa.ForeignKey("collaboratives.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"))
    lineage: Mapped[str] = mapped_column(sa.String(80))
    distribution: Mapped[dict[str, int]] = mapped_column(sa.JSON, default=dict)
    computed_from_version: Mapped[int] = mapped_column(default=0)


class BenchmarkResult(_CollaborativeScoped, db.Model):
    """The collaborative's spread on one dimension (or overall) in a round: each
    reportable member's mean counts once."""

    __tablename__ = "benchmark_results"
    __table_args__ = (sa.UniqueConstraint("round_id", "dimension_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id"))
    collaborative_id: Mapped[int] = mapped_column(sa.ForeignKey("collaboratives.id"), index=True)
    dimension_key: Mapped[str] = mapped_column(sa.String(60))
    n_members: Mapped[int] = mapped_column(default=0)
    median: Mapped[float | None]
    q1: Mapped[float | None]
    q3: Mapped[float | None]
    minimum: Mapped[float | None]
    maximum: Mapped[float | None]
    # The members' answers versions this was computed from, e.g. {"12": 40, "13": 38}.
    computed_from: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
