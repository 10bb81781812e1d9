"""Imports every model so SQLAlchemy's metadata and Alembic see the whole schema."""

from maturity.accounts.models import AccountToken, AuthSession, RoleGrant, User
from maturity.api.models import ApiToken
from maturity.audit.models import AuditEvent
from maturity.collaboratives.models import Collaborative, Membership
from maturity.frameworks.models import (
    Dimension,
    Framework,
    FrameworkVersion,
    Item,
    Level,
    LevelDescriptor,
)
from maturity.jobs.models import BackgroundTask
from maturity.mail.models import OutboxEmail
from maturity.organisations.models import Organisation
from maturity.results.models import (
    BenchmarkResult,
    DimensionResult,
    ItemResult,
    ParticipationResult,
)
from maturity.storage.models import StoredFile

__all__ = [
    "AccountToken",
    "ApiToken",
    "AuditEvent",
    "AuthSession",
    "BackgroundTask",
    "BenchmarkResult",
    "Collaborative",
    "Dimension",
    "DimensionResult",
    "Framework",
    "FrameworkVersion",
    "Item",
    "ItemResult",
    "Level",
    "LevelDescriptor",
    "Membership",
    "Organisation",
    "OutboxEmail",
    "ParticipationResult",
    "RoleGrant",
    "StoredFile",
    "User",
]
