"""Personal access tokens (QUALITY.md R4): created and revoked on the account page, shown
once, stored hashed, compared in constant time, expiring, scoped, rate-limited."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

import maturity.security
from maturity.api.models import ApiToken, TokenScope
from maturity.api.tokens import TOKEN_PREFIX, create_token
from maturity.audit.models import AuditEvent
from maturity.db import db, utcnow
from maturity.errors import DomainError
from maturity.security import hash_token
from tests.helpers import post_form, sign_in
from tests.maturity.api_support import API, bearer, issue_token

SECRET_ON_PAGE = re.compile(r'id="api-token-secret"[^>]*value="(pw_[A-Za-z0-9_-]+)"')


def _create_on_page(client, name="Reporting script", scope="read", expires_in="30"):
    return post_form(
        client,
        "/account/tokens/new",
        {"name": name, "scope": scope, "expires_in": expires_in},
    )


def _token_rows() -> list[ApiToken]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(ApiToken).order_by(ApiToken.id)))


def test_a_token_created_on_the_account_page_is_shown_once_and_stored_hashed(app, world):
    client = app.test_client()
    sign_in(client, world.convenor.email)
    response = _create_on_page(client, scope="read_write", expires_in="90")
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    secret = SECRET_ON_PAGE.search(response.get_data(as_text=True)).group(1)
    # 256 bits from the OS: 43 URL-safe base64 characters after the prefix.
    assert len(secret.removeprefix(TOKEN_PREFIX)) == 43

    (row,) = _token_rows()
    assert row.token_hash == hash_token(secret)
    assert row.scope == TokenScope.READ_WRITE
    assert timedelta(days=89) < row.expires_at - row.created_at <= timedelta(days=90)
    assert not any(secret in str(value) for value in _row_values(row))

    account = client.get("/account").get_data(as_text=True)
    assert "Reporting script" in account
    assert secret not in account
    assert client.get(f"{API}/me", headers=bearer(secret)).status_code == 200


def _row_values(row: ApiToken) -> list:
    return [getattr(row, column.key) for column in ApiToken.__table__.columns]


def test_creating_and_revoking_are_audited(app, world):
    client = app.test_client()
    sign_in(client, world.coordinator.email)
    secret = SECRET_ON_PAGE.search(_create_on_page(client).get_data(as_text=True)).group(1)
    (row,) = _token_rows()
    response = post_form(client, f"/account/tokens/{row.id}/revoke", page="/account")
    assert response.status_code == 302
    assert client.get(f"{API}/me", headers=bearer(secret)).status_code == 401
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.subject_type == "api_token")
    ).all()
    assert actions == ["api_token.created", "api_token.revoked"]
    assert "has been revoked" in client.get("/account").get_data(as_text=True)  # the flash
    assert "Reporting script" not in client.get("/account").get_data(as_text=True)


def test_a_form_without_a_name_is_refused_with_a_message(app, world):
    client = app.test_client()
    sign_in(client, world.convenor.email)
    response = _create_on_page(client, name="  ")
    assert response.status_code == 200
    assert "Enter a name for the token" in response.get_data(as_text=True)
    assert _token_rows() == []


def test_an_unknown_expiry_is_refused(app, world):
    with pytest.raises(DomainError):
        create_token(world.convenor, "Forever", TokenScope.READ, 100_000)
    client = app.test_client()
    sign_in(client, world.convenor.email)
    response = _create_on_page(client, expires_in="100000")
    assert response.status_code == 200
    assert _token_rows() == []


def test_nobody_can_revoke_someone_elses_token(app, world):
    issue_token(world.foreign_respondent)
    (row,) = _token_rows()
    client = app.test_client()
    sign_in(client, world.admin.email)
    response = post_form(client, f"/account/tokens/{row.id}/revoke", page="/account")
    assert response.status_code == 404
    assert _token_rows()[0].revoked_at is None
    for impossible in (2**31, 2**63):
        response = post_form(client, f"/account/tokens/{impossible}/revoke", page="/account")
        assert response.status_code == 404


def test_tokens_are_compared_in_constant_time(app, world, monkeypatch):
    secret = issue_token(world.convenor)
    compared = []
    original = maturity.security.hmac.compare_digest

    def spy(a, b):
        compared.append((a, b))
        return original(a, b)

    monkeypatch.setattr(maturity.security.hmac, "compare_digest", spy)
    assert app.test_client().get(f"{API}/me", headers=bearer(secret)).status_code == 200
    assert (hash_token(secret), hash_token(secret)) in compared


@pytest.mark.parametrize("change", ["expired", "revoked", "person_deactivated"])
def test_a_token_stops_working(app, world, change):
    secret = issue_token(world.convenor)
    (row,) = _token_rows()
    if change == "expired":
        row.created_at = utcnow() - timedelta(days=31)
        row.expires_at = utcnow() - timedelta(seconds=1)
    elif change == "revoked":
        row.revoked_at = utcnow()
    else:
        row.user.is_active = False
    db.session.commit()
    response = app.test_client().get(f"{API}/me", headers=bearer(secret))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


@pytest.mark.parametrize(
    "header", ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer pw_nonsense", "Bearer x" * 99]
)
def test_a_missing_or_malformed_token_is_401_json(app, world, header):
    headers = {"Authorization": header} if header else {}
    response = app.test_client().get(f"{API}/collaboratives", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_token_guessing_is_rate_limited_per_address(app, world):
    secret = issue_token(world.convenor)
    client = app.test_client()
    limit = app.config["TOKEN_LIMIT"]
    guesses = [
        client.get(f"{API}/me", headers=bearer(f"{TOKEN_PREFIX}guess{n}")).status_code
        for n in range(limit + 2)
    ]
    assert guesses[:limit] == [401] * limit
    assert guesses[limit:] == [429, 429]
    # Once over the limit, even the right token is refused: guessing cannot be confirmed.
    refused = client.get(f"{API}/me", headers=bearer(secret))
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) == app.config["RATE_LIMIT_WINDOW_SECONDS"]


def test_each_token_has_a_request_budget(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", 3)
    first, second = issue_token(world.convenor), issue_token(world.convenor)
    client = app.test_client()
    statuses = [client.get(f"{API}/me", headers=bearer(first)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client.get(f"{API}/me", headers=bearer(second)).status_code == 200


def test_use_is_recorded(app, world):
    secret = issue_token(world.convenor)
    assert _token_rows()[0].last_used_at is None
    app.test_client().get(f"{API}/me", headers=bearer(secret))
    used = _token_rows()[0].last_used_at
    assert used is not None and utcnow() - used < timedelta(minutes=1)


def test_me_describes_the_person_and_the_token(app, world):
    secret = issue_token(world.coordinator, TokenScope.READ)
    data = app.test_client().get(f"{API}/me", headers=bearer(secret)).get_json()["data"]
    assert data["email"] == world.coordinator.email
    assert data["roles"] == [
        {"role": "coordinator", "organisation": world.organisation.slug, "collaborative": None}
    ]
    assert data["token"]["scope"] == "read"
