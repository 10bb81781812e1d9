"""The Organisation model."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from maturity.db import db, enum_column, utcnow

if TYPE_CHECKING:
    from maturity.tenancy import TenantScope


class OrganisationKind(StrEnum):
    COUNTY = "county"
    DISTRICT = "district"
    UNITARY = "unitary"
    METROPOLITAN_DISTRICT = "metropolitan_district"
    LONDON_BOROUGH = "london_borough"
    COMBINED_AUTHORITY = "combined_authority"
    CONVENING_BODY = "convening_body"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Organisation(db.Model):
    """A council or a convening body; it owns users through their role grants."""

    __tablename__ = "organisations"
    __table_args__ = (
        sa.CheckConstraint("population IS NULL OR population >= 0", name="population"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind, "kind"))
    region: Mapped[str | None] = mapped_column(sa.String(100))
    population: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @classmethod
    def tenant_criteria(cls, scope: TenantScope) -> sa.ColumnElement[bool]:
        """Only the organisations the current scope may see."""
        return cls.id.in_(scope.organisation_ids)

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"
