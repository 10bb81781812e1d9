"""The BackgroundTask model: long work that someone asked for and is waiting on."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from maturity.db import db, enum_column, utcnow

if TYPE_CHECKING:
    from maturity.tenancy import TenantScope


class TaskStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"


class BackgroundTask(db.Model):
    """A long job's progress, shown to whoever asked for it as a progress bar."""

    __tablename__ = "background_tasks"
    __table_args__ = (
        sa.CheckConstraint("done >= 0 AND total >= 0 AND done <= total", name="progress"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    description: Mapped[str] = mapped_column(sa.String(200))
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    collaborative_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("collaboratives.id"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    status: Mapped[TaskStatus] = mapped_column(
        enum_column(TaskStatus, "status"), default=TaskStatus.QUEUED
    )
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(sa.String(500), default="")
    result: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    @classmethod
    def tenant_criteria(cls, scope: TenantScope) -> sa.ColumnElement[bool]:
        """Only tasks about the scope's collaboratives or organisations."""
        return sa.or_(
            cls.collaborative_id.in_(scope.collaborative_ids),
            cls.organisation_id.in_(scope.organisation_ids),
        )

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (TaskStatus.FINISHED, TaskStatus.FAILED)
