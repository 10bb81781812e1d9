"""Accounts (QUALITY.md R15) and invitation/reset tokens (R4), through the real pages."""

import hashlib
import re
import secrets
from datetime import timedelta

import pytest
import sqlalchemy as sa
from werkzeug.security import check_password_hash

from maturity.accounts import passwords, services
from maturity.accounts import views as accounts_views
from maturity.accounts.models import AccountToken, AccountTokenPurpose, AuthSession, User
from maturity.accounts.views import SIGN_IN_FAILED
from maturity.audit.models import AuditEvent
from maturity.db import db, utcnow
from maturity.mail.models import OutboxEmail
from tests.conftest import table_snapshot
from tests.factories import PASSWORD
from tests.helpers import csrf_token, post_form, sign_in

COOKIE = "placewise_session"
LINK_PATTERN = re.compile(r"http://localhost/password/([A-Za-z0-9_-]+)")
TOO_SHORT = "Password must be 8 characters or more"
TOO_COMMON = "Password is too common"
LONG_PASSWORD = "velvet orchard ladder compass 4 tiny moons over a quiet harbour!"
assert len(LONG_PASSWORD) == 64


# --- helpers ---------------------------------------------------------------------------


def _cookie(client) -> str | None:
    cookie = client.get_cookie(COOKIE)
    return cookie.value if cookie is not None else None


def _session_data(app, client) -> dict:
    value = _cookie(client)
    assert value, "the client has no session cookie"
    return dict(app.session_interface.get_signing_serializer(app).loads(value))


def _client_with_cookie(app, value: str):
    fresh = app.test_client()
    fresh.set_cookie(COOKIE, value)
    return fresh


def _is_signed_in(client) -> bool:
    response = client.get("/account")
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")
    return False


def _password_hash(user_id: int) -> str | None:
    db.session.expire_all()
    return db.session.get(User, user_id).password_hash


def _outbox_links(recipient: str) -> list[str]:
    db.session.expire_all()
    bodies = db.session.scalars(
        sa.select(OutboxEmail.body)
        .where(OutboxEmail.recipient == recipient)
        .order_by(OutboxEmail.id)
    ).all()
    return [token for body in bodies for token in LINK_PATTERN.findall(body)]


def _reset_link_for(client, email: str) -> str:
    """Ask for a password reset through the page; return the emailed token."""
    response = post_form(client, "/password-reset", {"email": email})
    assert response.status_code == 200
    tokens = _outbox_links(email)
    assert len(tokens) == 1
    return tokens[0]


def _invite(client, world, email: str = "new.colleague@example.org") -> str:
    """A coordinator invites a colleague through the page; return the emailed token."""
    assert sign_in(client, world.coordinator.email).status_code == 302
    response = post_form(
        client,
        f"/o/{world.organisation.slug}/people/invite",
        {"name": "Nia Newcomer", "email": email, "role": "respondent"},
    )
    assert response.status_code == 302
    tokens = _outbox_links(email)
    assert len(tokens) == 1
    return tokens[0]


def _sign_out(client) -> None:
    response = client.post("/sign-out", data={"csrf_token": csrf_token(client, "/account")})
    assert response.status_code == 302


def _normalised(html: str, *variables: str) -> str:
    html = re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "CSRF", html)
    html = re.sub(r'nonce="[^"]+"', "NONCE", html)
    for value in variables:
        html = html.replace(value, "VALUE")
    return html


# --- password storage and policy -------------------------------------------------------


def test_passwords_are_stored_as_scrypt_hashes(client, world):
    assert world.coordinator.password_hash.startswith("scrypt:")
    token = _reset_link_for(client, world.respondent.email)
    new_password = "a brand new passphrase for rory"
    response = post_form(
        client, f"/password/{token}", {"password": new_password, "confirm": new_password}
    )
    assert response.status_code == 302
    stored = _password_hash(world.respondent.id)
    assert stored.startswith("scrypt:")
    assert new_password not in stored
    assert check_password_hash(stored, new_password)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("seven77", TOO_SHORT),
        ("a", TOO_SHORT),
        ("password", TOO_COMMON),
        ("Password123", TOO_COMMON),
        ("council2025", TOO_COMMON),
    ],
)
def test_password_set_form_refuses_weak_passwords(client, world, password, message):
    token = _reset_link_for(client, world.respondent.email)
    before = _password_hash(world.respondent.id)
    response = post_form(client, f"/password/{token}", {"password": password, "confirm": password})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _password_hash(world.respondent.id) == before
    assert not _is_signed_in(client)


@pytest.mark.parametrize(
    ("password", "message"),
    [("short1!", TOO_SHORT), ("iloveyou", TOO_COMMON), ("Letmein1", TOO_COMMON)],
)
def test_password_change_form_refuses_weak_passwords(client, world, password, message):
    sign_in(client, world.coordinator.email)
    before = _password_hash(world.coordinator.id)
    response = post_form(
        client,
        "/account/password",
        {"current": PASSWORD, "password": password, "confirm": password},
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _password_hash(world.coordinator.id) == before


@pytest.mark.parametrize("password", [LONG_PASSWORD, LONG_PASSWORD * 3])
def test_password_change_form_accepts_long_passwords(client, world, password):
    sign_in(client, world.coordinator.email)
    response = post_form(
        client,
        "/account/password",
        {"current": PASSWORD, "password": password, "confirm": password},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert check_password_hash(_password_hash(world.coordinator.id), password)
    _sign_out(client)
    assert sign_in(client, world.coordinator.email, password).status_code == 302


def test_password_set_form_accepts_a_64_character_password(client, world):
    token = _reset_link_for(client, world.respondent.email)
    response = post_form(
        client, f"/password/{token}", {"password": LONG_PASSWORD, "confirm": LONG_PASSWORD}
    )
    assert response.status_code == 302
    assert check_password_hash(_password_hash(world.respondent.id), LONG_PASSWORD)


# --- no account enumeration ------------------------------------------------------------


def test_sign_in_failure_is_the_same_for_unknown_and_known_emails(client, app, world):
    world.foreign_respondent.is_active = False
    db.session.commit()
    attempts = {
        "nobody@example.org": "whatever password",  # no such account
        world.coordinator.email: "not the right password",  # wrong password
        world.foreign_respondent.email: PASSWORD,  # deactivated, right password
    }
    responses = {}
    for email, password in attempts.items():
        responses[email] = sign_in(app.test_client(), email, password)
    pages = []
    for email, response in responses.items():
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert SIGN_IN_FAILED in html
        pages.append(_normalised(html, email))
    assert pages[0] == pages[1] == pages[2]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuthSession)) == 0


def test_password_reset_request_gives_the_same_page_for_known_and_unknown_emails(app, world):
    known, unknown = world.respondent.email, "nobody@example.org"
    pages = {}
    for email in (known, unknown):
        response = post_form(app.test_client(), "/password-reset", {"email": email})
        assert response.status_code == 200
        pages[email] = _normalised(response.get_data(as_text=True), email)
    assert pages[known] == pages[unknown]
    assert "Check your email" in pages[known]
    # The pages match although only the real account was sent a link.
    assert len(_outbox_links(known)) == 1
    assert _outbox_links(unknown) == []


def test_password_reset_queues_one_email_the_same_way_for_known_and_unknown(
    app, world, monkeypatch
):
    queued, delivered = [], []
    real_queue = services.queue_email
    monkeypatch.setattr(
        services, "queue_email", lambda to, *rest: queued.append(to) or real_queue(to, *rest)
    )
    monkeypatch.setattr(accounts_views, "deliver_outbox", lambda: delivered.append(1))
    for email in (world.respondent.email, "Nobody@Example.org", world.coordinator.email):
        if email == world.coordinator.email:
            world.coordinator.is_active = False
            db.session.commit()
        assert post_form(app.test_client(), "/password-reset", {"email": email}).status_code == 200
    # One queued email and one hand-over for delivery in every case; no SMTP in the request.
    assert queued == [world.respondent.email, "nobody@example.org", world.coordinator.email]
    assert delivered == [1, 1, 1]
    db.session.expire_all()
    subjects = db.session.scalars(sa.select(OutboxEmail.subject)).all()
    assert subjects == ["Reset your Placewise password"] * 3
    assert _outbox_links("nobody@example.org") == []
    assert _outbox_links(world.coordinator.email) == []


def test_unknown_email_still_costs_a_password_hash_check(monkeypatch):
    calls = []
    real = passwords.check_password_hash

    def counting(stored, password):
        calls.append(stored)
        return real(stored, password)

    monkeypatch.setattr(passwords, "check_password_hash", counting)
    assert passwords.verify_password(None, "anything at all") is False
    assert calls == [passwords._DUMMY_HASH]
    assert passwords._DUMMY_HASH.startswith("scrypt:")


def test_sign_in_with_unknown_email_checks_a_hash(monkeypatch, app):
    calls = []
    real = passwords.check_password_hash
    monkeypatch.setattr(
        passwords, "check_password_hash", lambda s, p: calls.append(s) or real(s, p)
    )
    with app.test_request_context():
        assert services.authenticate("nobody@example.org", "some password") is None
    assert len(calls) == 1


# --- sessions --------------------------------------------------------------------------


def _live_session_hashes() -> set[str]:
    db.session.expire_all()
    return set(
        db.session.scalars(sa.select(AuthSession.token_hash).where(AuthSession.ended_at.is_(None)))
    )


def test_session_is_rotated_at_sign_in(client, app, world):
    client.get("/sign-in")
    anonymous_cookie = _cookie(client)
    anonymous_data = _session_data(app, client)
    assert "csrf_token" in anonymous_data and "auth_session" not in anonymous_data

    assert sign_in(client, world.coordinator.email).status_code == 302
    first_cookie = _cookie(client)
    first = _session_data(app, client)
    assert first_cookie != anonymous_cookie
    assert first.get("csrf_token") != anonymous_data["csrf_token"]
    first_token = first["auth_session"]
    assert _live_session_hashes() == {hashlib.sha256(first_token.encode()).hexdigest()}

    # A second sign-in (after signing out) gets a new server-side session token.
    _sign_out(client)
    assert sign_in(client, world.coordinator.email).status_code == 302
    second = _session_data(app, client)
    assert second["auth_session"] != first_token
    assert _cookie(client) not in (first_cookie, anonymous_cookie)
    assert _live_session_hashes() == {hashlib.sha256(second["auth_session"].encode()).hexdigest()}

    # The session from before sign-in is still anonymous.
    assert not _is_signed_in(_client_with_cookie(app, anonymous_cookie))
    assert _is_signed_in(client)


def test_sign_out_ends_the_session_on_the_server(client, app, world):
    sign_in(client, world.coordinator.email)
    signed_in_cookie = _cookie(client)
    assert _is_signed_in(_client_with_cookie(app, signed_in_cookie))

    _sign_out(client)
    assert not _is_signed_in(client)
    # Replaying the copied cookie does not bring the session back.
    assert not _is_signed_in(_client_with_cookie(app, signed_in_cookie))
    assert _live_session_hashes() == set()


def test_password_change_ends_other_sessions_but_not_this_one(app, world):
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(elsewhere, world.coordinator.email)
    sign_in(here, world.coordinator.email)
    old_here_cookie = _cookie(here)
    assert _is_signed_in(elsewhere) and _is_signed_in(here)

    new_password = "another long and unusual passphrase"
    response = post_form(
        here,
        "/account/password",
        {"current": PASSWORD, "password": new_password, "confirm": new_password},
    )
    assert response.status_code == 302
    assert _is_signed_in(here)
    assert not _is_signed_in(elsewhere)
    # The changing browser got a new session; its old cookie is dead too.
    assert _cookie(here) != old_here_cookie
    assert not _is_signed_in(_client_with_cookie(app, old_here_cookie))
    assert len(_live_session_hashes()) == 1


def test_admin_deactivation_ends_sessions(app, world):
    admin, coordinator = app.test_client(), app.test_client()
    sign_in(admin, world.admin.email)
    sign_in(coordinator, world.coordinator.email)
    coordinator_cookie = _cookie(coordinator)
    assert _is_signed_in(coordinator)

    toggle = f"/admin/users/{world.coordinator.id}/active"
    response = admin.post(toggle, data={"csrf_token": csrf_token(admin, "/admin/users")})
    assert response.status_code == 302
    assert not _is_signed_in(coordinator)
    ended = db.session.scalars(
        sa.select(AuthSession).where(AuthSession.user_id == world.coordinator.id)
    ).all()
    assert ended and all(row.ended_at is not None for row in ended)

    # Reactivating the account does not revive the old session.
    again = admin.post(toggle, data={"csrf_token": csrf_token(admin, "/admin/users")})
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, world.coordinator.id).is_active
    assert not _is_signed_in(_client_with_cookie(app, coordinator_cookie))


def test_sign_in_is_rate_limited_per_email(client, app, world):
    limit = app.config["SIGN_IN_LIMIT"]
    assert limit == 5
    for _ in range(limit):
        response = sign_in(client, world.coordinator.email, "wrong password")
        assert response.status_code == 200
        assert SIGN_IN_FAILED in response.get_data(as_text=True)
    response = sign_in(client, world.coordinator.email, PASSWORD)
    assert response.status_code == 429
    assert not _is_signed_in(client)
    assert _live_session_hashes() == set()
    # Another person can still sign in from here.
    assert sign_in(app.test_client(), world.convenor.email).status_code == 302


# --- invitations and single-use links (R4) ---------------------------------------------


def test_invitation_flow_end_to_end(app, world):
    coordinator = app.test_client()
    token = _invite(coordinator, world)
    invited = db.session.scalars(
        sa.select(User).where(User.email == "new.colleague@example.org")
    ).one()
    assert invited.password_hash is None

    # >= 128 bits from secrets: the length of token_urlsafe(32), i.e. 256 bits.
    assert len(token) == len(secrets.token_urlsafe(32)) == 43
    row = db.session.scalars(
        sa.select(AccountToken).where(AccountToken.user_id == invited.id)
    ).one()
    assert row.purpose == AccountTokenPurpose.INVITATION
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    snapshot = table_snapshot()
    for table, rows in snapshot.items():
        if table == "outbox_emails":  # the email itself, which must carry the link
            continue
        assert not any(token in str(value) for row_ in rows for value in row_), table

    person = app.test_client()
    page = person.get(f"/password/{token}")
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    new_password = "my own long passphrase here"
    response = post_form(
        person, f"/password/{token}", {"password": new_password, "confirm": new_password}
    )
    assert response.status_code == 302
    assert _is_signed_in(person)
    assert check_password_hash(_password_hash(invited.id), new_password)
    db.session.expire_all()
    assert db.session.get(AccountToken, row.id).used_at is not None

    # The link works once.
    again = app.test_client().get(f"/password/{token}")
    assert again.status_code == 404
    assert "This link has expired or has already been used" in again.get_data(as_text=True)
    assert again.headers["Referrer-Policy"] == "no-referrer"


def test_reused_link_cannot_set_the_password_again(app, world):
    token = _invite(app.test_client(), world)
    first = "the first chosen passphrase"
    assert (
        post_form(app.test_client(), f"/password/{token}", {"password": first, "confirm": first})
    ).status_code == 302
    attacker = app.test_client()
    csrf = csrf_token(attacker)
    second = "the attackers passphrase"
    response = attacker.post(
        f"/password/{token}", data={"csrf_token": csrf, "password": second, "confirm": second}
    )
    assert response.status_code == 404
    invited = db.session.scalars(
        sa.select(User).where(User.email == "new.colleague@example.org")
    ).one()
    assert check_password_hash(_password_hash(invited.id), first)


def test_expired_token_is_refused(app, world):
    token = _invite(app.test_client(), world)
    row = db.session.scalars(
        sa.select(AccountToken).where(
            AccountToken.token_hash == hashlib.sha256(token.encode()).hexdigest()
        )
    ).one()
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    person = app.test_client()
    assert person.get(f"/password/{token}").status_code == 404
    csrf = csrf_token(person)
    password = "a perfectly fine passphrase"
    response = person.post(
        f"/password/{token}", data={"csrf_token": csrf, "password": password, "confirm": password}
    )
    assert response.status_code == 404
    assert _password_hash(row.user_id) is None
    assert not _is_signed_in(person)


def test_token_comparison_uses_compare_digest(monkeypatch, app, world):
    import maturity.security

    token = _invite(app.test_client(), world)
    expected = hashlib.sha256(token.encode()).hexdigest()
    calls = []
    real = maturity.security.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(maturity.security.hmac, "compare_digest", spy)
    assert app.test_client().get(f"/password/{token}").status_code == 200
    assert (expected, expected) in calls

    # The comparison decides: if it says "different", the link is refused.
    monkeypatch.setattr(
        maturity.security.hmac,
        "compare_digest",
        lambda a, b: False if a == expected else real(a, b),
    )
    assert app.test_client().get(f"/password/{token}").status_code == 404


def test_guessing_tokens_is_rate_limited(app, world):
    token = _invite(app.test_client(), world)
    limit = app.config["TOKEN_LIMIT"]
    assert limit == 10
    guesser = app.test_client()
    for _ in range(limit):
        assert guesser.get(f"/password/{secrets.token_urlsafe(32)}").status_code == 404
    assert guesser.get(f"/password/{secrets.token_urlsafe(32)}").status_code == 429
    # Once limited, even the real link waits.
    assert guesser.get(f"/password/{token}").status_code == 429


def test_password_reset_link_sets_password_and_records_it(client, world):
    token = _reset_link_for(client, world.respondent.email)
    row = db.session.scalars(
        sa.select(AccountToken).where(AccountToken.user_id == world.respondent.id)
    ).one()
    assert row.purpose == AccountTokenPurpose.PASSWORD_RESET
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    password = "a reset passphrase of mine"
    response = post_form(client, f"/password/{token}", {"password": password, "confirm": password})
    assert response.status_code == 302
    assert _is_signed_in(client)
    events = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.action == "account.password_reset_used")
    ).all()
    assert events == ["account.password_reset_used"]


# --- every unused link dies with the password (R4) ---------------------------------------


def _set_password_with(client, token: str, password: str):
    data = {"csrf_token": csrf_token(client), "password": password, "confirm": password}
    return client.post(f"/password/{token}", data=data)


def test_using_one_reset_link_kills_the_other_unused_ones(app, world):
    client = app.test_client()
    first = _reset_link_for(client, world.respondent.email)
    post_form(client, "/password-reset", {"email": world.respondent.email})
    second = _outbox_links(world.respondent.email)[-1]
    assert second != first

    assert _set_password_with(client, second, "the passphrase from link two").status_code == 302

    late = app.test_client()
    assert late.get(f"/password/{first}").status_code == 404
    assert _set_password_with(late, first, "an attacker's passphrase").status_code == 404
    assert check_password_hash(_password_hash(world.respondent.id), "the passphrase from link two")


def test_changing_the_password_kills_an_unused_reset_link(app, world):
    token = _reset_link_for(app.test_client(), world.coordinator.email)
    here = app.test_client()
    sign_in(here, world.coordinator.email)
    new_password = "a changed and unusual passphrase"
    response = post_form(
        here,
        "/account/password",
        {"current": PASSWORD, "password": new_password, "confirm": new_password},
    )
    assert response.status_code == 302

    stranger = app.test_client()
    assert stranger.get(f"/password/{token}").status_code == 404
    assert _set_password_with(stranger, token, "a stolen link passphrase").status_code == 404
    assert check_password_hash(_password_hash(world.coordinator.id), new_password)


def test_a_reset_kills_an_unused_invitation_link(app, world):
    invitation = _invite(app.test_client(), world)
    post_form(app.test_client(), "/password-reset", {"email": "new.colleague@example.org"})
    reset = _outbox_links("new.colleague@example.org")[-1]
    assert reset != invitation
    assert _set_password_with(app.test_client(), reset, "my own reset passphrase").status_code == (
        302
    )
    assert app.test_client().get(f"/password/{invitation}").status_code == 404


def test_links_issued_after_a_password_change_work(app, world):
    here = app.test_client()
    sign_in(here, world.coordinator.email)
    new_password = "a changed and unusual passphrase"
    post_form(
        here,
        "/account/password",
        {"current": PASSWORD, "password": new_password, "confirm": new_password},
    )
    token = _reset_link_for(app.test_client(), world.coordinator.email)
    assert app.test_client().get(f"/password/{token}").status_code == 200


# --- absolute session lifetime -----------------------------------------------------------


def _age_sessions(user_id: int, seconds: int) -> None:
    db.session.execute(
        sa.update(AuthSession)
        .where(AuthSession.user_id == user_id)
        .values(created_at=utcnow() - timedelta(seconds=seconds))
    )
    db.session.commit()


def test_a_session_ends_at_its_absolute_lifetime_however_active(app, world):
    assert app.config["SESSION_ABSOLUTE_SECONDS"] == 12 * 3600
    client = app.test_client()
    sign_in(client, world.coordinator.email)
    _age_sessions(world.coordinator.id, 12 * 3600 - 60)
    assert _is_signed_in(client)  # active a minute before the limit: still in

    _age_sessions(world.coordinator.id, 12 * 3600 + 1)
    assert not _is_signed_in(client)
    assert sign_in(client, world.coordinator.email).status_code == 302
    assert _is_signed_in(client)  # signing in again starts a new session


def test_an_invitation_queues_one_email_the_same_way_for_known_and_unknown(app, world, monkeypatch):
    from maturity.organisations import views as organisation_views

    queued, delivered = [], []
    real_queue = services.queue_email
    monkeypatch.setattr(
        services, "queue_email", lambda to, *rest: queued.append(to) or real_queue(to, *rest)
    )
    monkeypatch.setattr(organisation_views, "deliver_outbox", lambda: delivered.append(1))
    coordinator = app.test_client()
    assert sign_in(coordinator, world.coordinator.email).status_code == 302
    for email in (world.foreign_respondent.email, "brand.new@example.org"):
        response = post_form(
            coordinator,
            f"/o/{world.organisation.slug}/people/invite",
            {"name": "Someone", "email": email, "role": "respondent"},
        )
        assert response.status_code == 302
    # One queued email and one hand-over for delivery each, whether or not the account exists.
    assert queued == [world.foreign_respondent.email, "brand.new@example.org"]
    assert delivered == [1, 1]
