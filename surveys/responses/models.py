"""Response and Answer models."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from maturity.db import db, enum_column, utcnow
from maturity.frameworks.models import Item
from surveys.invitations.models import Invitation
from surveys.rounds.models import Participation

if TYPE_CHECKING:
    from maturity.tenancy import TenantScope

DONT_KNOW = "dont_know"


class ResponseStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


def new_public_id() -> str:
    """A response's stable public identifier: random, carried by the respondent-rows export
    and recognised on import, so a file imported again cannot double a round."""
    return "r" + secrets.token_hex(10)


class Response(db.Model):
    """One respondent's answers in one participation.

    A response through the anonymous link has no user and no invitation, and its times are
    kept to the hour, so it cannot be tied to a person.
    """

    __tablename__ = "responses"
    __table_args__ = (
        sa.UniqueConstraint("participation_id", "user_id"),
        sa.CheckConstraint(
            "(status = 'submitted') = (submitted_at IS NOT NULL)", name="submitted_has_time"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(sa.ForeignKey("participations.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("invitations.id"), unique=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    resume_token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    status: Mapped[ResponseStatus] = mapped_column(
        enum_column(ResponseStatus, "status"), default=ResponseStatus.IN_PROGRESS
    )
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    last_section: Mapped[str | None] = mapped_column(sa.String(60))
    submission_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    # Random for a response given through the survey; the file's response id for an
    # imported one. Unique within a round (checked on import; an imported response's
    # submission key, unique, is made from its round and this id).
    public_id: Mapped[str] = mapped_column(sa.String(64), index=True, default=new_public_id)

    participation: Mapped[Participation] = relationship()
    invitation: Mapped[Invitation | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )

    @classmethod
    def tenant_criteria(cls, scope: TenantScope) -> sa.ColumnElement[bool]:
        """Only responses in the scope's organisations."""
        return cls.organisation_id.in_(scope.organisation_ids)

    @property
    def is_submitted(self) -> bool:
        return self.status == ResponseStatus.SUBMITTED


class ResponseScore(db.Model):
    """A submitted response's score on one dimension, computed once at submission (or
    import) so that member results are computed from these, not from every answer."""

    __tablename__ = "response_scores"
    __table_args__ = (sa.UniqueConstraint("response_id", "dimension_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("responses.id", ondelete="CASCADE"))
    participation_id: Mapped[int] = mapped_column(sa.ForeignKey("participations.id"), index=True)
    dimension_key: Mapped[str] = mapped_column(sa.String(60))
    score: Mapped[float]

    @classmethod
    def tenant_criteria(cls, scope: TenantScope) -> sa.ColumnElement[bool]:
        """Only scores of the scope's participations."""
        participations = Participation.__table__  # plain: see maturity/frameworks/models.py
        in_scope = sa.select(participations.c.id).where(
            participations.c.organisation_id.in_(scope.organisation_ids)
        )
        return cls.participation_id.in_(in_scope)


class Answer(db.Model):
    """One answer to one item. ``value`` is the option, level, agreement (1–5), text or
    number as text; ``dont_know`` for "don't know"."""

    __tablename__ = "answers"
    __table_args__ = (sa.UniqueConstraint("response_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("responses.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"), index=True)
    value: Mapped[str] = mapped_column(sa.Text)

    response: Mapped[Response] = relationship(back_populates="answers")
    item: Mapped[Item] = relationship()

    @classmethod
    def tenant_criteria(cls, scope: TenantScope) -> sa.ColumnElement[bool]:
        """Only answers of responses in the scope's organisations."""
        responses = Response.__table__  # plain: see maturity/frameworks/models.py
        in_scope = sa.select(responses.c.id).where(
            responses.c.organisation_id.in_(scope.organisation_ids)
        )
        return cls.response_id.in_(in_scope)
