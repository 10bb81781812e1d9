"""The account page's API tokens in a real browser, with axe-core (QUALITY R19): create a
token (an error first), see it once, use it against the API, revoke it."""

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE_WIDTH, assert_accessible, new_page, screenshot
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def _check(page, name: str) -> None:
    for label, width in (("desktop", 1280), ("phone", PHONE_WIDTH)):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
        screenshot(page, f"api-tokens-{name}-{label}")


def _api_me(base: str, secret: str) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 (the test's own live server)
        f"{base}/api/v1/me", headers={"Authorization": f"Bearer {secret}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (our server)
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_a_person_creates_uses_and_revokes_a_token(browser, live_server, world):
    page = new_page(browser, width=1280, height=900)
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Email address").fill(world.convenor.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

    page.goto(f"{live_server}/account")
    _check(page, "account-empty")
    page.get_by_role("link", name="Create an API token").click()
    _check(page, "new")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_text("Enter a name for the token").first).to_be_visible()
    _check(page, "new-error")

    page.get_by_label("Token name").fill("Quarterly report")
    page.get_by_label("Read and write").check()
    page.get_by_label("1 year").check()
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_label("Your token")).to_be_visible()
    _check(page, "created")
    secret = page.get_by_label("Your token").input_value()
    assert secret.startswith("pw_")

    status, me = _api_me(live_server, secret)
    assert status == 200 and me["data"]["token"]["scope"] == "read_write"

    page.goto(f"{live_server}/account")
    expect(page.get_by_role("cell", name="Quarterly report", exact=True)).to_be_visible()
    assert secret not in page.content()
    _check(page, "account-listed")
    page.get_by_role("button", name="Revoke token Quarterly report").click()
    expect(page.get_by_text("has been revoked")).to_be_visible()
    status, refused = _api_me(live_server, secret)
    assert status == 401 and refused["error"]["code"] == "unauthorized"
