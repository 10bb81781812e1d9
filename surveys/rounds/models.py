"""Round and Participation models."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from maturity.collaboratives.models import Collaborative
from maturity.db import db, enum_column, utcnow
from maturity.frameworks.models import FrameworkVersion
from maturity.organisations.models import Organisation

if TYPE_CHECKING:
    from maturity.tenancy import TenantScope


class RoundState(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def is_change_baseline(self) -> bool:
        """Whether a round in this state is one that "change since the last round" may
        compare with (see ``CHANGE_BASELINE_STATES``)."""
        return self in CHANGE_BASELINE_STATES


# The rounds "change since the last round" compares with: closed or published ones. A draft
# has no answers yet and an open round's are still coming in, so neither is a baseline.
CHANGE_BASELINE_STATES = (RoundState.CLOSED, RoundState.PUBLISHED)


# The only moves a round can make: draft → open → closed → published (and reopening a
# closed round before its results are published).
ROUND_TRANSITIONS: dict[RoundState, tuple[RoundState, ...]] = {
    RoundState.DRAFT: (RoundState.OPEN,),
    RoundState.OPEN: (RoundState.CLOSED,),
    RoundState.CLOSED: (RoundState.OPEN, RoundState.PUBLISHED),
    RoundState.PUBLISHED: (),
}


class NamingConsent(StrEnum):
    PEERS = "peers"
    CONVENOR_ONLY = "convenor_only"
    PUBLIC = "public"

    @property
    def label(self) -> str:
        return {
            "peers": "Named to other members of the collaborative",
            "convenor_only": "Named to the convenor only (other members see us anonymised)",
            "public": "Named to members and in a public release",
        }[self.value]


class Round(db.Model):
    """A wave of the survey across the whole collaborative."""

    __tablename__ = "rounds"
    __table_args__ = (
        sa.UniqueConstraint("collaborative_id", "slug"),
        sa.CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    collaborative_id: Mapped[int] = mapped_column(sa.ForeignKey("collaboratives.id"), index=True)
    framework_version_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_versions.id"))
    name: Mapped[str] = mapped_column(sa.String(120))
    slug: Mapped[str] = mapped_column(sa.String(80))
    state: Mapped[RoundState] = mapped_column(
        enum_column(RoundState, "state"), default=RoundState.DRAFT
    )
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    state_changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    collaborative: Mapped[Collaborative] = relationship()
    framework_version: Mapped[FrameworkVersion] = relationship()
    participations: Mapped[list[Participation]] = relationship(back_populates="round")

    @classmethod
    def tenant_criteria(cls, scope: TenantScope) -> sa.ColumnElement[bool]:
        """Only rounds of the scope's collaboratives."""
        return cls.collaborative_id.in_(scope.collaborative_ids)

    @property
    def reference(self) -> str:
        """How commands name this round: COLLABORATIVE/ROUND."""
        return f"{self.collaborative.slug}/{self.slug}"

    @property
    def is_open(self) -> bool:
        return self.state == RoundState.OPEN


class Participation(db.Model):
    """An organisation taking part in a round."""

    __tablename__ = "participations"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "organisation_id"),
        sa.CheckConstraint(
            "eligible_staff IS NULL OR eligible_staff >= 0", name="eligible_not_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id"), index=True)
    collaborative_id: Mapped[int] = mapped_column(sa.ForeignKey("collaboratives.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    eligible_staff: Mapped[int | None]
    naming_consent: Mapped[NamingConsent] = mapped_column(
        enum_column(NamingConsent, "naming_consent"), default=NamingConsent.CONVENOR_ONLY
    )
    # The anonymous shareable link's code: public by design (it is printed on posters),
    # so it is stored as it is; 128 random bits make it unguessable.
    share_code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    # Bumped in the same transaction as every submission: results older than this are due.
    answers_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    round: Mapped[Round] = relationship(back_populates="participations")
    organisation: Mapped[Organisation] = relationship()

    @classmethod
    def tenant_criteria(cls, scope: TenantScope) -> sa.ColumnElement[bool]:
        """Only participations of the scope's organisations in the scope's collaboratives."""
        return sa.and_(
            cls.organisation_id.in_(scope.organisation_ids),
            cls.collaborative_id.in_(scope.collaborative_ids),
        )
