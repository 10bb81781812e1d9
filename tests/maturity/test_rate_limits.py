"""Rate limits (QUALITY.md R4) behind a proxy: failed attempts count per account and per
address, correct sign-ins never do, each emailed link has its own budget, and clients
behind a trusted proxy are told apart by X-Forwarded-For."""

import re

import pytest
import sqlalchemy as sa

from maturity.db import db
from maturity.mail.models import OutboxEmail
from maturity.ratelimit import init_proxy, storage_uri
from tests.factories import PASSWORD
from tests.helpers import CSRF_PATTERN

LINK_PATTERN = re.compile(r"http://localhost/password/([A-Za-z0-9_-]+)")


def _csrf(client, path: str = "/sign-in", **kwargs) -> str:
    match = CSRF_PATTERN.search(client.get(path, **kwargs).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def _sign_in(client, email: str, password: str, address: str | None = None) -> int:
    headers = {"X-Forwarded-For": address} if address else {}
    data = {"csrf_token": _csrf(client, headers=headers), "email": email, "password": password}
    return client.post("/sign-in", data=data, headers=headers).status_code


@pytest.fixture
def behind_one_proxy(app, monkeypatch):
    """The app as deployed behind one reverse proxy (TRUSTED_PROXY_COUNT=1)."""
    monkeypatch.setitem(app.config, "TRUSTED_PROXY_COUNT", 1)
    monkeypatch.setattr(app, "wsgi_app", app.wsgi_app)  # put back after the test
    init_proxy(app)
    return app


def test_41_correct_sign_ins_from_one_address_are_not_refused(app, world):
    statuses = [_sign_in(app.test_client(), world.coordinator.email, PASSWORD) for _ in range(41)]
    assert statuses == [302] * 41


def test_failed_sign_ins_are_refused_per_account_from_any_address(behind_one_proxy, world):
    limit = behind_one_proxy.config["SIGN_IN_LIMIT"]
    client = behind_one_proxy.test_client()
    email = world.coordinator.email
    failures = [_sign_in(client, email, "wrong", f"198.51.100.{n}") for n in range(limit)]
    assert failures == [200] * limit
    # The right password now waits too, from a new address: the account is under attack.
    assert _sign_in(client, email, PASSWORD, "198.51.100.99") == 429
    # Other accounts are not affected.
    assert _sign_in(client, world.convenor.email, PASSWORD, "198.51.100.99") == 302


def test_failed_sign_ins_are_refused_per_address_across_accounts(app, world):
    per_address = app.config["SIGN_IN_LIMIT"] * 4
    client = app.test_client()
    failures = [_sign_in(client, f"guess{n}@example.org", "wrong") for n in range(per_address)]
    assert failures == [200] * per_address
    refused = app.test_client()
    assert _sign_in(refused, world.coordinator.email, PASSWORD) == 429
    page = refused.post("/sign-in", data={"csrf_token": _csrf(refused)})
    assert page.status_code == 429
    assert '<h1 class="govuk-heading-l">Too many attempts</h1>' in page.get_data(as_text=True)
    assert int(page.headers["Retry-After"]) == app.config["RATE_LIMIT_WINDOW_SECONDS"]


def test_two_clients_behind_a_trusted_proxy_are_counted_separately(behind_one_proxy, world):
    per_address = behind_one_proxy.config["SIGN_IN_LIMIT"] * 4
    first, second = behind_one_proxy.test_client(), behind_one_proxy.test_client()
    for n in range(per_address):
        assert _sign_in(first, f"guess{n}@example.org", "wrong", "203.0.113.1") == 200
    assert _sign_in(first, world.coordinator.email, PASSWORD, "203.0.113.1") == 429
    assert _sign_in(second, world.coordinator.email, PASSWORD, "203.0.113.2") == 302


def test_without_a_trusted_proxy_a_forwarded_address_is_ignored(app, world):
    assert app.config["TRUSTED_PROXY_COUNT"] == 0
    per_address = app.config["SIGN_IN_LIMIT"] * 4
    client = app.test_client()
    for n in range(per_address):
        # A client cannot dodge the limit by making up a new address each time.
        assert _sign_in(client, f"guess{n}@example.org", "wrong", f"203.0.113.{n}") == 200
    assert _sign_in(client, world.coordinator.email, PASSWORD, "203.0.113.200") == 429


def _reset_link(app, email: str) -> str:
    client = app.test_client()
    data = {"csrf_token": _csrf(client, "/password-reset"), "email": email}
    assert client.post("/password-reset", data=data).status_code == 200
    db.session.expire_all()
    body = db.session.scalars(
        sa.select(OutboxEmail.body)
        .where(OutboxEmail.recipient == email)
        .order_by(OutboxEmail.id.desc())
    ).first()
    return LINK_PATTERN.search(body).group(1)


def test_link_openings_count_per_link_not_for_the_whole_site(app, world):
    limit = app.config["TOKEN_LIMIT"]
    mine = _reset_link(app, world.coordinator.email)
    theirs = _reset_link(app, world.convenor.email)
    client = app.test_client()
    assert [client.get(f"/password/{mine}").status_code for _ in range(limit)] == [200] * limit
    assert client.get(f"/password/{mine}").status_code == 429
    # Another person's link, opened from the same address, is untouched.
    assert client.get(f"/password/{theirs}").status_code == 200


def test_limits_are_kept_in_redis_when_it_is_configured_and_in_memory_otherwise():
    assert storage_uri({"REDIS_URL": "redis://cache:6379/3"}) == "redis://cache:6379/3"
    assert storage_uri({"REDIS_URL": ""}) == "memory://"
    assert storage_uri({"RATELIMIT_STORAGE_URI": "memory://", "REDIS_URL": "redis://x"}) == (
        "memory://"
    )


def test_the_app_counts_where_its_settings_say(app):
    expected = app.config.get("REDIS_URL") or "memory://"
    assert app.config["RATELIMIT_STORAGE_URI"] == expected
