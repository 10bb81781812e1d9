"""The StoredFile model: bytes produced by a job, served later by any web process."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from maturity.db import db, utcnow

if TYPE_CHECKING:
    from maturity.tenancy import TenantScope


class StoredFile(db.Model):
    """One file under a unique key, such as ``charts/round-3/profile-12-v7.svg``."""

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(300), unique=True)
    collaborative_id: Mapped[int] = mapped_column(sa.ForeignKey("collaboratives.id"), index=True)
    content_type: Mapped[str] = mapped_column(sa.String(100))
    filename: Mapped[str | None] = mapped_column(sa.String(200))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    etag: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @classmethod
    def tenant_criteria(cls, scope: TenantScope) -> sa.ColumnElement[bool]:
        """Only files of the scope's collaboratives."""
        return cls.collaborative_id.in_(scope.collaborative_ids)

    def __repr__(self) -> str:
        return f"<StoredFile {self.key}>"
