"""Invitation and InvitationToken models."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from maturity.db import db, utcnow
from surveys.rounds.models import Participation

if TYPE_CHECKING:
    from maturity.tenancy import TenantScope


class Invitation(db.Model):
    """A personal link for one respondent in one participation."""

    __tablename__ = "invitations"
    __table_args__ = (sa.UniqueConstraint("participation_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(sa.ForeignKey("participations.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reminder_count: Mapped[int] = mapped_column(default=0)
    last_reminded_at: Mapped[datetime | None]

    participation: Mapped[Participation] = relationship()
    tokens: Mapped[list[InvitationToken]] = relationship(
        back_populates="invitation", cascade="all, delete-orphan"
    )

    @classmethod
    def tenant_criteria(cls, scope: TenantScope) -> sa.ColumnElement[bool]:
        """Only invitations of the scope's organisations."""
        return cls.organisation_id.in_(scope.organisation_ids)


class InvitationToken(db.Model):
    """One emailed link of an invitation (each reminder adds one); only its hash is kept."""

    __tablename__ = "invitation_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(sa.ForeignKey("invitations.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    invitation: Mapped[Invitation] = relationship(back_populates="tokens")
