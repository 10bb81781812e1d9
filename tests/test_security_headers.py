"""Headers and cookies on every response, and production's stricter settings (R16)."""

import re
from pathlib import Path

import pytest

import maturity
from config import Config, DevConfig
from maturity.app import create_app
from maturity.db import db
from tests.helpers import csrf_token, sign_in

STATIC_CSS = Path(maturity.__file__).parent / "static" / "govuk" / "app.css"
NONCE_IN_CSP = re.compile(r"script-src [^;]*'nonce-([^']+)'")
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S)
PRODUCTION_KEY = "x" * 40


def _check_common_headers(response) -> str:
    """Assert the headers every response carries; return the CSP."""
    csp = response.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp
    assert "object-src 'none'" in csp
    assert NONCE_IN_CSP.search(csp), csp
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") in {
        "no-referrer",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
    }
    return csp


def _check_inline_scripts_use_the_nonce(response) -> str:
    """Every inline script carries this response's nonce; return the nonce."""
    nonce = NONCE_IN_CSP.search(response.headers["Content-Security-Policy"]).group(1)
    html = response.get_data(as_text=True)
    inline = [attrs for attrs, body in SCRIPT_TAG.findall(html) if body.strip()]
    assert inline, "the page has no inline script to check"
    for attrs in inline:
        assert f'nonce="{nonce}"' in attrs
    return nonce


def _set_cookies(response) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def _check_cookie_flags(header: str, *, secure: bool) -> None:
    attributes = {part.strip().split("=")[0].lower() for part in header.split(";")[1:]}
    assert "httponly" in attributes, header
    assert "samesite=lax" in header.lower().replace(" ", ""), header
    assert ("secure" in attributes) is secure, header


PUBLIC_PAGES = ["/sign-in", "/password-reset", "/accessibility", "/privacy"]
SIGNED_IN_PAGES = ["/account", "/account/password", "/admin/", "/admin/users"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_carry_the_headers(client, path):
    response = client.get(path)
    assert response.status_code == 200
    _check_common_headers(response)
    _check_inline_scripts_use_the_nonce(response)


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_signed_in_pages_carry_the_headers(client, world, path):
    sign_in(client, world.admin.email)
    response = client.get(path)
    assert response.status_code == 200
    _check_common_headers(response)
    _check_inline_scripts_use_the_nonce(response)


def test_error_pages_carry_the_headers(client, world):
    not_found = client.get("/no-such-page")
    assert not_found.status_code == 404
    _check_common_headers(not_found)
    _check_inline_scripts_use_the_nonce(not_found)

    no_csrf = client.post("/sign-in", data={"email": world.admin.email, "password": "x"})
    assert no_csrf.status_code == 400
    _check_common_headers(no_csrf)
    _check_inline_scripts_use_the_nonce(no_csrf)

    # The error summary page of a failed sign-in, and a redirect.
    assert sign_in(client, world.admin.email, "wrong password").status_code == 200
    redirect = client.get("/account")
    assert redirect.status_code == 302
    _check_common_headers(redirect)


def test_static_css_and_json_carry_the_headers(client):
    assert STATIC_CSS.is_file()
    css = client.get("/static/govuk/app.css")
    assert css.status_code == 200
    assert css.mimetype == "text/css"
    _check_common_headers(css)
    css.close()

    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.is_json
    _check_common_headers(health)


def test_the_nonce_is_new_for_every_response(client):
    nonces = {_check_inline_scripts_use_the_nonce(client.get("/sign-in")) for _ in range(3)}
    assert len(nonces) == 3
    assert all(len(nonce) >= 16 for nonce in nonces)


def test_token_pages_send_no_referrer(client):
    response = client.get("/password/not-a-real-token")
    assert response.status_code == 404
    assert response.headers["Referrer-Policy"] == "no-referrer"
    # ... and only token pages: the next page is back to the usual policy.
    assert client.get("/sign-in").headers["Referrer-Policy"] != "no-referrer"


def test_cookies_are_httponly_and_samesite_lax(client, world):
    first = client.get("/sign-in")
    cookies = _set_cookies(first)
    assert any(c.startswith("placewise_session=") for c in cookies)
    signed_in = sign_in(client, world.admin.email)
    assert signed_in.status_code == 302
    cookies += _set_cookies(signed_in)
    token = csrf_token(client, "/account")
    signed_out = client.post("/sign-out", data={"csrf_token": token})
    cookies += _set_cookies(signed_out)
    assert len(cookies) >= 3
    for header in cookies:
        _check_cookie_flags(header, secure=False)


# --- production settings ---------------------------------------------------------------


@pytest.fixture
def production_app(app):
    prod = create_app(
        "production",
        SECRET_KEY=PRODUCTION_KEY,
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=app.config["REDIS_URL"],
    )
    prod.test_client_class = app.test_client_class
    yield prod
    with prod.app_context():
        db.session.remove()
        db.engine.dispose()


def test_production_session_cookie_is_secure_and_hsts_is_sent(production_app, world):
    assert production_app.config["ENV_NAME"] == "production"
    client = production_app.test_client()
    page = client.get("/sign-in", base_url="https://localhost")
    assert page.status_code == 200
    _check_common_headers(page)
    hsts = page.headers.get("Strict-Transport-Security", "")
    assert re.fullmatch(r"max-age=(\d+); includeSubDomains", hsts)
    assert int(hsts.split("=")[1].split(";")[0]) >= 31536000
    cookies = _set_cookies(page)
    assert any(c.startswith("placewise_session=") for c in cookies)
    for header in cookies:
        _check_cookie_flags(header, secure=True)

    health = client.get("/healthz", base_url="https://localhost")
    assert health.headers.get("Strict-Transport-Security") == hsts


def test_development_sends_no_hsts(client):
    # The production test above is meaningful: HSTS depends on the settings.
    assert DevConfig.HSTS_ENABLED is False
    assert "Strict-Transport-Security" not in client.get("/sign-in").headers


@pytest.mark.parametrize(
    "secret_key", ["", "dev", "change-me", "dev-insecure-secret-key", "k" * 31, None]
)
def test_production_refuses_to_start_without_a_strong_secret_key(app, secret_key):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(
            "production",
            SECRET_KEY=secret_key,
            SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        )


@pytest.mark.parametrize("secret_key", ["", "short", "dev-insecure-secret-key"])
def test_config_check_refuses_weak_keys_from_the_environment(monkeypatch, secret_key):
    monkeypatch.setattr(Config, "SECRET_KEY", secret_key)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        Config.check()
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_config_check_accepts_a_32_character_key(monkeypatch):
    monkeypatch.setattr(Config, "SECRET_KEY", "k" * 32)
    Config.check()
    Config.check({"SECRET_KEY": "k" * 32})
    with pytest.raises(RuntimeError):
        Config.check({"SECRET_KEY": "k" * 31})
