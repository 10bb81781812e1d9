"""Framework, FrameworkVersion, Level, Dimension, LevelDescriptor and Item models.

A framework belongs to one collaborative. Its versions are edited while in draft and are
immutable once published; rounds use published versions. Items carry a stable ``key`` and a
``lineage`` key that survives rewording, so trends join comparable items across versions.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from maturity.db import db, enum_column, utcnow

if TYPE_CHECKING:
    from maturity.tenancy import TenantScope


class ItemType(StrEnum):
    LEVEL = "level"
    LIKERT = "likert"
    SINGLE = "single"
    MULTI = "multi"
    TEXT = "text"
    NUMBER = "number"

    @property
    def is_scored(self) -> bool:
        return self in (ItemType.LEVEL, ItemType.LIKERT)

    @property
    def label(self) -> str:
        return {
            "level": "Level – choose the description that fits best",
            "likert": "Agreement – strongly disagree to strongly agree",
            "single": "One choice from a list",
            "multi": "Several choices from a list",
            "text": "Free text",
            "number": "A number",
        }[self.value]


class VersionStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class ScoringMethod(StrEnum):
    MEAN = "mean"
    WEAKEST_LINK = "weakest_link"


class Framework(db.Model):
    """A maturity model owned by a collaborative."""

    __tablename__ = "frameworks"
    __table_args__ = (sa.UniqueConstraint("collaborative_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    collaborative_id: Mapped[int] = mapped_column(sa.ForeignKey("collaboratives.id"), index=True)
    key: Mapped[str] = mapped_column(sa.String(60))
    name: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    versions: Mapped[list[FrameworkVersion]] = relationship(
        back_populates="framework", order_by="FrameworkVersion.number"
    )

    @classmethod
    def tenant_criteria(cls, scope: TenantScope) -> sa.ColumnElement[bool]:
        """Only the frameworks of the scope's collaboratives."""
        return cls.collaborative_id.in_(scope.collaborative_ids)

    @property
    def latest_version(self) -> FrameworkVersion | None:
        return self.versions[-1] if self.versions else None


# The tenant criteria's subqueries read the plain tables, not the mapped classes: the tenant
# filter would otherwise filter each subquery again with its own criteria, nesting them.


def _frameworks_in(scope: TenantScope) -> sa.Select:
    frameworks = Framework.__table__
    return sa.select(frameworks.c.id).where(
        frameworks.c.collaborative_id.in_(scope.collaborative_ids)
    )


def _versions_in(scope: TenantScope) -> sa.Select:
    versions = FrameworkVersion.__table__
    return sa.select(versions.c.id).where(versions.c.framework_id.in_(_frameworks_in(scope)))


class FrameworkVersion(db.Model):
    """One version of a framework: its levels, dimensions and items."""

    __tablename__ = "framework_versions"
    __table_args__ = (
        sa.UniqueConstraint("framework_id", "number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(sa.ForeignKey("frameworks.id"), index=True)
    number: Mapped[int]
    description: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[VersionStatus] = mapped_column(
        enum_column(VersionStatus, "status"), default=VersionStatus.DRAFT
    )
    scoring_method: Mapped[ScoringMethod] = mapped_column(
        enum_column(ScoringMethod, "scoring_method"), default=ScoringMethod.MEAN
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]

    framework: Mapped[Framework] = relationship(back_populates="versions")
    levels: Mapped[list[Level]] = relationship(
        back_populates="version", order_by="Level.number", cascade="all, delete-orphan"
    )
    dimensions: Mapped[list[Dimension]] = relationship(
        back_populates="version", order_by="Dimension.position", cascade="all, delete-orphan"
    )
    items: Mapped[list[Item]] = relationship(
        back_populates="version", order_by="Item.position", cascade="all, delete-orphan"
    )

    @classmethod
    def tenant_criteria(cls, scope: TenantScope) -> sa.ColumnElement[bool]:
        """Only versions of the scope's frameworks."""
        return cls.framework_id.in_(_frameworks_in(scope))

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    @property
    def label(self) -> str:
        return f"{self.framework.name}, version {self.number}"

    @property
    def context_items(self) -> list[Item]:
        return [item for item in self.items if item.dimension_id is None]


class Level(db.Model):
    """A step on the framework's maturity scale (1 = least mature)."""

    __tablename__ = "levels"
    __table_args__ = (
        sa.UniqueConstraint("version_id", "number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_versions.id"), index=True)
    number: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(60))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    # A mean at or above this floor (and below the next level's) is reported at this level.
    band_floor: Mapped[float]

    version: Mapped[FrameworkVersion] = relationship(back_populates="levels")

    @classmethod
    def tenant_criteria(cls, scope: TenantScope) -> sa.ColumnElement[bool]:
        """Only levels of the scope's framework versions."""
        return cls.version_id.in_(_versions_in(scope))


class Dimension(db.Model):
    """An aspect of place-based working that the framework assesses."""

    __tablename__ = "dimensions"
    __table_args__ = (
        sa.UniqueConstraint("version_id", "key"),
        sa.CheckConstraint("weight > 0", name="weight_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_versions.id"), index=True)
    key: Mapped[str] = mapped_column(sa.String(60))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    weight: Mapped[float] = mapped_column(default=1.0)

    version: Mapped[FrameworkVersion] = relationship(back_populates="dimensions")
    descriptors: Mapped[list[LevelDescriptor]] = relationship(
        back_populates="dimension",
        order_by="LevelDescriptor.level_number",
        cascade="all, delete-orphan",
    )
    items: Mapped[list[Item]] = relationship(
        back_populates="dimension", order_by="Item.position", viewonly=True
    )

    @classmethod
    def tenant_criteria(cls, scope: TenantScope) -> sa.ColumnElement[bool]:
        """Only dimensions of the scope's framework versions."""
        return cls.version_id.in_(_versions_in(scope))

    def descriptor_for(self, level_number: int) -> str:
        """What this dimension looks like at ``level_number``."""
        return next((d.text for d in self.descriptors if d.level_number == level_number), "")


class LevelDescriptor(db.Model):
    """What one dimension looks like at one level."""

    __tablename__ = "level_descriptors"
    __table_args__ = (sa.UniqueConstraint("dimension_id", "level_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dimension_id: Mapped[int] = mapped_column(sa.ForeignKey("dimensions.id"), index=True)
    level_number: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)

    dimension: Mapped[Dimension] = relationship(back_populates="descriptors")

    @classmethod
    def tenant_criteria(cls, scope: TenantScope) -> sa.ColumnElement[bool]:
        """Only descriptors of the scope's dimensions."""
        dimensions = Dimension.__table__
        in_scope = sa.select(dimensions.c.id).where(
            dimensions.c.version_id.in_(_versions_in(scope))
        )
        return cls.dimension_id.in_(in_scope)


class Item(db.Model):
    """A question. Scored items belong to a dimension; context items do not."""

    __tablename__ = "items"
    __table_args__ = (
        sa.UniqueConstraint("version_id", "key"),
        sa.CheckConstraint(
            "(item_type IN ('level', 'likert')) = (dimension_id IS NOT NULL)",
            name="scored_items_have_a_dimension",
        ),
        sa.CheckConstraint("NOT is_reversed OR item_type = 'likert'", name="only_likert_reversed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_versions.id"), index=True)
    dimension_id: Mapped[int | None] = mapped_column(sa.ForeignKey("dimensions.id"), index=True)
    key: Mapped[str] = mapped_column(sa.String(80))
    lineage: Mapped[str] = mapped_column(sa.String(80))
    position: Mapped[int]
    item_type: Mapped[ItemType] = mapped_column(enum_column(ItemType, "item_type"))
    text: Mapped[str] = mapped_column(sa.Text)
    help_text: Mapped[str] = mapped_column(sa.Text, default="")
    is_reversed: Mapped[bool] = mapped_column(default=False)
    is_attribute: Mapped[bool] = mapped_column(default=False)
    is_required: Mapped[bool] = mapped_column(default=False)
    options: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)

    version: Mapped[FrameworkVersion] = relationship(back_populates="items")
    dimension: Mapped[Dimension | None] = relationship(back_populates="items")

    @classmethod
    def tenant_criteria(cls, scope: TenantScope) -> sa.ColumnElement[bool]:
        """Only items of the scope's framework versions."""
        return cls.version_id.in_(_versions_in(scope))

    @property
    def option_labels(self) -> dict[str, str]:
        return {option["value"]: option["label"] for option in self.options}
