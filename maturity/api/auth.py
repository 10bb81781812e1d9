"""Bearer-token authentication for the API.

A request authenticates with ``Authorization: Bearer <token>`` only: cookies are ignored
(so no CSRF token is needed, and a browser's session cannot be ridden). The token's person
becomes flask-login's current user for this request alone, so every tenancy check the web
pages make applies unchanged. Guessing is rate-limited per client address (only invalid
tokens count); every token has its own request budget. Both limits are declared on the API
blueprint below.
"""

from flask import current_app, g, request

from maturity.accounts.models import User
from maturity.api.errors import ApiError
from maturity.api.models import ApiToken
from maturity.api.registry import OPERATIONS, bp
from maturity.api.tokens import find_live_token, note_use
from maturity.db import db
from maturity.ratelimit import failed, limiter, note_failure, per_window
from maturity.security import hash_token
from maturity.tenancy import unscoped

DEFAULT_REQUEST_LIMIT = 1200
GUESSING_REFUSED = "Too many invalid tokens from your address. Wait, then try again."


def _unauthorized(message: str, *, presented: bool) -> ApiError:
    challenge = 'Bearer realm="placewise"' + (', error="invalid_token"' if presented else "")
    return ApiError(401, "unauthorized", message, {"WWW-Authenticate": challenge})


def _presented_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def _request_limit() -> str:
    limit = current_app.config.get("API_RATE_LIMIT", DEFAULT_REQUEST_LIMIT)
    return f"{limit} per {current_app.config['RATE_LIMIT_WINDOW_SECONDS']} seconds"


def _budget_message() -> str:
    limit = current_app.config.get("API_RATE_LIMIT", DEFAULT_REQUEST_LIMIT)
    return f"This token has made more than {limit} requests in a short time. Wait, then try again."


def _presented_token_key() -> str:
    """The presented token, hashed: each token's own request budget."""
    return hash_token(_presented_secret() or "")


def _no_token_presented() -> bool:
    return _presented_secret() is None


limiter.limit(per_window("TOKEN_LIMIT"), deduct_when=failed, error_message=GUESSING_REFUSED)(bp)
limiter.limit(
    _request_limit,
    key_func=_presented_token_key,
    exempt_when=_no_token_presented,
    error_message=_budget_message,
)(bp)


def authenticate(secret: str) -> ApiToken:
    """The live token for ``secret``; an invalid one counts against the address."""
    with unscoped():
        token = find_live_token(secret)
    if token is None:
        note_failure()
        raise _unauthorized(
            "This token is not valid: it may have expired or been revoked.", presented=True
        )
    return token


def _act_as(user: User) -> None:
    g._login_user = user  # flask-login's current user, for this request only (no session)


@bp.before_request
def authenticate_request():
    """Check the bearer token, its request budget and its scope for this route."""
    operation = OPERATIONS.get(request.endpoint or "")
    if operation is None or operation.is_public:
        return
    secret = _presented_secret()
    if secret is None:
        raise _unauthorized(
            "Send a personal access token as 'Authorization: Bearer …'.", presented=False
        )
    token = authenticate(secret)
    if operation.is_write and not token.can_write:
        raise ApiError(
            403,
            "insufficient_scope",
            "This token is read-only. Create a read-and-write token on your account page.",
        )
    with unscoped():
        note_use(token)
        db.session.commit()
        user = token.user
        _ = user.grants  # load the roles before any tenant scope starts
    g.api_token = token
    _act_as(user)
