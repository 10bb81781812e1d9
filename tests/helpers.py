"""Helpers for driving the app through its test client."""

import re

from flask.testing import FlaskClient

from tests.factories import PASSWORD

CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/sign-in") -> str:
    """The CSRF token a page hands out to this client's session."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_PATTERN.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD):
    """Sign in through the real form; returns the response."""
    token = csrf_token(client)
    return client.post("/sign-in", data={"csrf_token": token, "email": email, "password": password})


def post_form(client: FlaskClient, path: str, data: dict | None = None, page: str | None = None):
    """POST a form with a valid CSRF token taken from ``page`` (default: the same path)."""
    token = csrf_token(client, page or path)
    return client.post(path, data={"csrf_token": token, **(data or {})})
