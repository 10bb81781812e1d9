"""Helpers for the API tests: issuing tokens and sending them."""

from maturity.accounts.models import User
from maturity.api.models import TokenScope
from maturity.api.tokens import create_token
from maturity.db import db

API = "/api/v1"


def issue_token(user: User, scope: TokenScope = TokenScope.READ_WRITE, days: int = 30) -> str:
    """A committed token for ``user``; returns its secret."""
    _token, secret = create_token(user, "Test token", scope, days)
    db.session.commit()
    return secret


def bearer(secret: str) -> dict[str, str]:
    """The Authorization header for a token."""
    return {"Authorization": f"Bearer {secret}"}
