"""The ApiToken model: a personal access token for the JSON API."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from maturity.accounts.models import User
from maturity.db import db, enum_column, utcnow


class TokenScope(StrEnum):
    READ = "read"
    READ_WRITE = "read_write"

    @property
    def label(self) -> str:
        return {"read": "Read only", "read_write": "Read and write"}[self.value]


class ApiToken(db.Model):
    """A person's token for the API: it acts as that person, with their roles, within its
    scope, until it expires or is revoked. Only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    __table_args__ = (sa.CheckConstraint("expires_at > created_at", name="expires_after_creation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    scope: Mapped[TokenScope] = mapped_column(enum_column(TokenScope, "scope"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.READ_WRITE

    def is_live(self, now: datetime) -> bool:
        """Whether the token still works at ``now``."""
        return self.revoked_at is None and self.expires_at > now
