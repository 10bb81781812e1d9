"""The declarative base, shared column types and time helpers."""

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, registry

AFTER_COMMIT_KEY = "after_commit_callbacks"

# Constraint names that Alembic renders identically on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.TypeDecorator):
    """An aware UTC datetime on every database (SQLite drops the zone; we put it back)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Every model's base: the naming convention and the type map."""

    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


def enum_column(enum_cls: type[StrEnum], name: str) -> sa.Enum:
    """A portable enum column: VARCHAR plus a named CHECK constraint, storing the values."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum_cls) + 8,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record) -> None:
    """SQLite as a server would behave: enforced foreign keys, WAL, waiting on locks.

    The driver's default transaction handling is kept on purpose: it begins a transaction at
    the first write, so a writer queues on the busy timeout for the lock instead of failing
    with "database is locked" when an earlier read's snapshot went stale.
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class TenantAwareSession(FlaskSession):
    """A session whose identity-map lookups honour the tenant filter.

    ``Session.get`` and many-to-one lazy loads answer from the identity map without SQL, so
    an object loaded before a tenant scope began (e.g. unscoped, or with the signed-in
    person's grants) would bypass the filter. While a scope is active, lookups of tenant
    models always go to the database, where the filter applies.
    """

    def _identity_lookup(self, mapper, primary_key_identity, *args, **kwargs):
        if self.info.get("tenant_scope") is not None and hasattr(mapper.class_, "tenant_criteria"):
            return None
        return super()._identity_lookup(mapper, primary_key_identity, *args, **kwargs)


def call_after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` once the current transaction commits; never if it rolls back."""
    session = db.session()
    if not session.in_transaction():
        # Begin one now, so that a rollback before any SQL still discards the callback.
        session.begin()
    session.info.setdefault(AFTER_COMMIT_KEY, []).append(callback)


@event.listens_for(TenantAwareSession, "after_commit")
def _run_after_commit(session) -> None:
    for callback in session.info.pop(AFTER_COMMIT_KEY, []):
        callback()


@event.listens_for(TenantAwareSession, "after_soft_rollback")
def _discard_after_commit(session, _previous_transaction) -> None:
    # "soft": fires on every rollback() call, even when nothing had reached the database.
    session.info.pop(AFTER_COMMIT_KEY, None)


db = SQLAlchemy(model_class=Base, session_options={"class_": TenantAwareSession})
