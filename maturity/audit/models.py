"""The AuditEvent model."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from maturity.accounts.models import User
from maturity.db import db, utcnow

if TYPE_CHECKING:
    from maturity.tenancy import TenantScope


class AuditEvent(db.Model):
    """One recorded action. Rows are only ever added."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(sa.String(64))
    subject_type: Mapped[str] = mapped_column(sa.String(40))
    subject_id: Mapped[str] = mapped_column(sa.String(64))
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    collaborative_id: Mapped[int | None] = mapped_column(sa.ForeignKey("collaboratives.id"))
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    actor: Mapped[User | None] = relationship()

    @classmethod
    def tenant_criteria(cls, scope: TenantScope) -> sa.ColumnElement[bool]:
        """Only events about the scope's organisations or collaboratives."""
        return sa.or_(
            cls.organisation_id.in_(scope.organisation_ids),
            cls.collaborative_id.in_(scope.collaborative_ids),
        )
