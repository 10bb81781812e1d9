"""Collaborative and Membership models."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from maturity.db import db, enum_column, utcnow
from maturity.organisations.models import Organisation

if TYPE_CHECKING:
    from maturity.tenancy import TenantScope

MIN_GROUP_SIZE_FLOOR = 3
DEFAULT_MIN_GROUP_SIZE = 5


class PeerVisibility(StrEnum):
    NAMED = "named"
    ANONYMISED = "anonymised"

    @property
    def label(self) -> str:
        return {
            "named": "Members see each other's names",
            "anonymised": "Members see each other as Member A, B, C…",
        }[self.value]


class Collaborative(db.Model):
    """A group of organisations assessed together, run by a convening organisation."""

    __tablename__ = "collaboratives"
    __table_args__ = (
        sa.CheckConstraint(f"min_group_size >= {MIN_GROUP_SIZE_FLOOR}", name="min_group_size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    convening_organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    peer_visibility: Mapped[PeerVisibility] = mapped_column(
        enum_column(PeerVisibility, "peer_visibility"), default=PeerVisibility.NAMED
    )
    min_group_size: Mapped[int] = mapped_column(default=DEFAULT_MIN_GROUP_SIZE)
    # Whether the convenor may export anonymised respondent-level rows (off unless chosen).
    respondent_rows_export: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    convening_organisation: Mapped[Organisation] = relationship()
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="collaborative", cascade="all, delete-orphan"
    )

    @classmethod
    def tenant_criteria(cls, scope: TenantScope) -> sa.ColumnElement[bool]:
        """Only the collaboratives the current scope may see."""
        return cls.id.in_(scope.collaborative_ids)

    def __repr__(self) -> str:
        return f"<Collaborative {self.slug}>"


class Membership(db.Model):
    """An organisation's place in a collaborative, with tags for comparator groups."""

    __tablename__ = "memberships"
    __table_args__ = (sa.UniqueConstraint("collaborative_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    collaborative_id: Mapped[int] = mapped_column(sa.ForeignKey("collaboratives.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    comparator_tags: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    collaborative: Mapped[Collaborative] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship()

    @classmethod
    def tenant_criteria(cls, scope: TenantScope) -> sa.ColumnElement[bool]:
        """Only memberships inside the scope's collaboratives and organisations."""
        return sa.and_(
            cls.collaborative_id.in_(scope.collaborative_ids),
            cls.organisation_id.in_(scope.organisation_ids),
        )
