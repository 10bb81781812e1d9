"""Bearer-token authentication for the API.

A request authenticates with ``Authorization: Bearer <token>`` only: cookies are ignored
(so no CSRF token is needed, and a browser's session cannot be ridden). The token's person
becomes flask-login's current user for this request alone, so every tenancy check the web
pages make applies unchanged. Guessing is rate-limited per client address; every token
has its own request budget.
"""

from flask import current_app, g, request

from maturity.accounts.models import User
from maturity.api.errors import ApiError
from maturity.api.models import ApiToken
from maturity.api.registry import OPERATIONS, bp
from maturity.api.tokens import find_live_token, note_use
from maturity.db import db
from maturity.ratelimit import attempts_so_far, is_over_limit
from maturity.tenancy import unscoped

GUESS_BUCKET = "api-token-guess"
REQUEST_BUCKET = "api-token-requests"
DEFAULT_REQUEST_LIMIT = 1200


def _retry_after() -> dict[str, str]:
    return {"Retry-After": str(current_app.config["RATE_LIMIT_WINDOW_SECONDS"])}


def _unauthorized(message: str, *, presented: bool) -> ApiError:
    challenge = 'Bearer realm="placewise"' + (', error="invalid_token"' if presented else "")
    return ApiError(401, "unauthorized", message, {"WWW-Authenticate": challenge})


def _presented_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def _client_address() -> str:
    return request.remote_addr or "unknown"


def _guessing_refused() -> ApiError:
    return ApiError(
        429,
        "rate_limited",
        "Too many invalid tokens from your address. Wait, then try again.",
        _retry_after(),
    )


def authenticate(secret: str) -> ApiToken:
    """The live token for ``secret``; refuses (429) an address that has guessed too often."""
    limit = current_app.config["TOKEN_LIMIT"]
    if attempts_so_far(GUESS_BUCKET, _client_address()) >= limit:
        raise _guessing_refused()
    with unscoped():
        token = find_live_token(secret)
    if token is None:
        if is_over_limit(GUESS_BUCKET, _client_address(), limit):
            raise _guessing_refused()
        raise _unauthorized(
            "This token is not valid: it may have expired or been revoked.", presented=True
        )
    return token


def _check_budget(token: ApiToken) -> None:
    limit = current_app.config.get("API_RATE_LIMIT", DEFAULT_REQUEST_LIMIT)
    if is_over_limit(REQUEST_BUCKET, str(token.id), limit):
        raise ApiError(
            429,
            "rate_limited",
            f"This token has made more than {limit} requests in a short time. Wait, then try "
            "again.",
            _retry_after(),
        )


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
    _check_budget(token)
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
