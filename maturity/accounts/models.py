"""User, RoleGrant, AuthSession and AccountToken models."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from maturity.collaboratives.models import Collaborative
from maturity.db import db, enum_column, utcnow
from maturity.organisations.models import Organisation

if TYPE_CHECKING:
    from maturity.tenancy import TenantScope


class Role(StrEnum):
    ADMIN = "admin"
    CONVENOR = "convenor"
    COORDINATOR = "coordinator"
    RESPONDENT = "respondent"

    @property
    def label(self) -> str:
        return {
            "admin": "Platform admin",
            "convenor": "Convenor",
            "coordinator": "Coordinator",
            "respondent": "Respondent",
        }[self.value]


ORGANISATION_ROLES = (Role.COORDINATOR, Role.RESPONDENT)


class User(db.Model):
    """A person who signs in; what they may do comes from their role grants."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_signed_in_at: Mapped[datetime | None]
    # Raised whenever the password is set, changed or reset: every account token carries the
    # generation it was issued in, and only tokens of the current generation work.
    token_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="RoleGrant.user_id"
    )

    # flask-login's protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    @property
    def is_admin(self) -> bool:
        return any(grant.role == Role.ADMIN for grant in self.grants)

    def is_convenor_of(self, collaborative_id: int) -> bool:
        """Whether this person convenes the given collaborative."""
        return any(
            g.role == Role.CONVENOR and g.collaborative_id == collaborative_id for g in self.grants
        )

    def has_organisation_role(self, role: Role, organisation_id: int) -> bool:
        """Whether this person holds ``role`` in the given organisation."""
        return any(g.role == role and g.organisation_id == organisation_id for g in self.grants)

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class RoleGrant(db.Model):
    """A role held in a scope: convenor in a collaborative, coordinator or respondent in an
    organisation, admin on the platform."""

    __tablename__ = "role_grants"
    __table_args__ = (
        sa.CheckConstraint(
            "(role = 'admin' AND organisation_id IS NULL AND collaborative_id IS NULL)"
            " OR (role = 'convenor' AND organisation_id IS NULL AND collaborative_id IS NOT NULL)"
            " OR (role IN ('coordinator', 'respondent') AND organisation_id IS NOT NULL"
            " AND collaborative_id IS NULL)",
            name="scope_matches_role",
        ),
        sa.UniqueConstraint("user_id", "role", "organisation_id", "collaborative_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    collaborative_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("collaboratives.id"), index=True
    )
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="grants", foreign_keys=[user_id])
    organisation: Mapped[Organisation | None] = relationship()
    collaborative: Mapped[Collaborative | None] = relationship()

    @classmethod
    def tenant_criteria(cls, scope: TenantScope) -> sa.ColumnElement[bool]:
        """Only grants held inside the scope's organisations or collaboratives."""
        return sa.or_(
            cls.organisation_id.in_(scope.organisation_ids),
            cls.collaborative_id.in_(scope.collaborative_ids),
        )

    @property
    def scope_name(self) -> str:
        if self.collaborative is not None:
            return self.collaborative.name
        if self.organisation is not None:
            return self.organisation.name
        return "Placewise"


class AuthSession(db.Model):
    """A signed-in browser session, held server-side so it can be ended from anywhere."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class AccountTokenPurpose(StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"


class AccountToken(db.Model):
    """A single-use emailed link to set a password; only its hash is stored."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    purpose: Mapped[AccountTokenPurpose] = mapped_column(
        enum_column(AccountTokenPurpose, "purpose")
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    # The person's token_generation when this was issued (see User.token_generation).
    generation: Mapped[int] = mapped_column(default=0, server_default="0")

    user: Mapped[User] = relationship()
