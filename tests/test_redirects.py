"""``next=`` never sends anyone off the site (QUALITY.md R17)."""

from urllib.parse import quote, urljoin, urlsplit

import pytest

from maturity.security import is_safe_next, safe_next
from tests.factories import PASSWORD
from tests.helpers import csrf_token, sign_in

HOSTILE_NEXT = [
    "//evil.example",
    "https:evil.example",
    "https://evil.example",
    "\\\\evil.example",
    "/\\evil.example",
    "javascript:alert(1)",
    "%2F%2Fevil.example",
    "///evil.example",
    "/\\/evil.example",
    "/\t/evil.example",
    "http://localhost.evil.example/",
    " //evil.example",
]


def _query_forms(value: str) -> list[str]:
    """The value percent-encoded (as a form would send it) and as typed into a URL."""
    return [f"next={quote(value, safe='')}", f"next={value}"]


def _stays_on_site(location: str) -> bool:
    """Whether a browser following ``location`` from /sign-in stays on localhost.

    Browsers treat a backslash like a slash and drop tabs and newlines, so normalise the
    same way before resolving against the current page.
    """
    normalised = location.replace("\\", "/")
    normalised = "".join(ch for ch in normalised if ch not in "\t\r\n").strip()
    resolved = urlsplit(urljoin("http://localhost/sign-in", normalised))
    return resolved.scheme == "http" and resolved.netloc == "localhost"


def _sign_in_with_next(client, email: str, query: str):
    token = csrf_token(client, f"/sign-in?{query}")
    return client.post(
        f"/sign-in?{query}", data={"csrf_token": token, "email": email, "password": PASSWORD}
    )


def test_the_site_check_itself_catches_hostile_locations():
    # Guards the helper the tests below rely on.
    assert _stays_on_site("/account")
    assert _stays_on_site("http://localhost/account")
    for location in ["//evil.example", "/\\evil.example", "https:evil.example", "javascript:x"]:
        assert not _stays_on_site(location)


@pytest.mark.parametrize("value", HOSTILE_NEXT)
def test_signing_in_never_redirects_off_site(app, world, value):
    for query in _query_forms(value):
        client = app.test_client()
        response = _sign_in_with_next(client, world.respondent.email, query)
        assert response.status_code == 302, query
        location = response.headers["Location"]
        assert _stays_on_site(location), (query, location)
        assert location == "/", (query, location)


@pytest.mark.parametrize("value", HOSTILE_NEXT)
def test_already_signed_in_never_redirects_off_site(client, world, value):
    assert sign_in(client, world.respondent.email).status_code == 302
    for query in _query_forms(value):
        response = client.get(f"/sign-in?{query}")
        assert response.status_code == 302, query
        location = response.headers["Location"]
        assert _stays_on_site(location), (query, location)
        assert location == "/", (query, location)


def test_a_local_next_is_honoured_when_signing_in(client, world):
    response = _sign_in_with_next(client, world.respondent.email, "next=/account")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert client.get("/account").status_code == 200


def test_a_local_next_is_honoured_when_already_signed_in(client, world):
    sign_in(client, world.respondent.email)
    response = client.get(f"/sign-in?next={quote('/account?tab=roles', safe='/')}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account?tab=roles"


def test_login_required_pages_send_people_back_after_signing_in(client, world):
    bounce = client.get("/account")
    assert bounce.status_code == 302
    location = bounce.headers["Location"]
    assert location.startswith("/sign-in?next=")
    response = _sign_in_with_next(client, world.respondent.email, location.split("?", 1)[1])
    assert response.headers["Location"] == "/account"


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/", True),
        ("/account", True),
        ("/o/home-council/people?sort=name#top", True),
        ("/a//b", True),
        ("/%2F%2Fevil.example", True),  # a path on this site: browsers do not decode %2F
        (None, False),
        ("", False),
        ("account", False),
        ("evil.example", False),
        ("//evil.example", False),
        ("///evil.example", False),
        ("https://evil.example", False),
        ("http://localhost/account", False),
        ("https:evil.example", False),
        ("https:/evil.example", False),
        ("\\\\evil.example", False),
        ("/\\evil.example", False),
        ("/\\/evil.example", False),
        ("\\/evil.example", False),
        ("/\t/evil.example", False),
        ("/\n/evil.example", False),
        ("/\r\n/evil.example", False),
        (" //evil.example", False),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("%2F%2Fevil.example", False),
    ],
)
def test_is_safe_next(target, safe):
    assert is_safe_next(target) is safe
    assert safe_next(target, "/home") == (target if safe else "/home")
