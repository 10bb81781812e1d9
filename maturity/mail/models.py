"""The OutboxEmail model."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from maturity.db import db, utcnow


class OutboxEmail(db.Model):
    """An email written in the same transaction as the change that caused it.

    With SMTP configured it is sent after commit, ``sent_at`` is set and the links in its
    body (which carry secrets) are removed; without SMTP it stays here whole, readable by
    admins on the development outbox page.
    """

    __tablename__ = "outbox_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
