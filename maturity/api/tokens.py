"""Personal access tokens: create, list, revoke, and check the one a request presents."""

from datetime import timedelta

import sqlalchemy as sa

from maturity.accounts.models import User
from maturity.api.models import ApiToken, TokenScope
from maturity.audit.services import record_event
from maturity.db import db, utcnow
from maturity.errors import DomainError
from maturity.security import hash_token, new_token, token_matches

# Recognisable in logs and by secret scanners; the rest is 256 random bits.
TOKEN_PREFIX = "pw_"
# The lifetimes a person can choose, in days. Every token expires.
EXPIRY_DAYS = (7, 30, 90, 365)
# Writing last_used_at on every request would make each read a write; once a minute will do.
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_LIVE_TOKENS = 20


def tokens_of(user: User) -> list[ApiToken]:
    """The person's tokens that have not been revoked, newest first."""
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def create_token(user: User, name: str, scope: TokenScope, days: int) -> tuple[ApiToken, str]:
    """Issue a token for ``user``; the secret is returned once and never stored."""
    if days not in EXPIRY_DAYS:
        raise DomainError("Choose when the token expires", field="expires_in")
    live = [t for t in tokens_of(user) if t.is_live(utcnow())]
    if len(live) >= MAX_LIVE_TOKENS:
        raise DomainError(
            f"You have {MAX_LIVE_TOKENS} tokens. Revoke one you no longer use first", field="name"
        )
    secret = TOKEN_PREFIX + new_token()
    now = utcnow()
    token = ApiToken(
        user_id=user.id,
        name=name.strip(),
        token_hash=hash_token(secret),
        scope=scope,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    record_event(
        "api_token.created",
        "api_token",
        token.id,
        actor_id=user.id,
        scope=scope.value,
        expires_at=token.expires_at.isoformat(),
    )
    return token, secret


def revoke_token(token: ApiToken, *, actor: User) -> None:
    """Stop a token working at once."""
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    record_event("api_token.revoked", "api_token", token.id, actor_id=actor.id)


def find_live_token(secret: str) -> ApiToken | None:
    """The live token whose secret this is, belonging to an active person; else None."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalars(
        sa.select(ApiToken).where(ApiToken.token_hash == hash_token(secret))
    ).first()
    if token is None or not token_matches(secret, token.token_hash):
        return None
    if not token.is_live(utcnow()) or not token.user.is_active:
        return None
    return token


def note_use(token: ApiToken) -> None:
    """Record that the token was used now (to the minute)."""
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
