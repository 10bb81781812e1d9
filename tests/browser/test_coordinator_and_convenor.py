"""The coordinator's and the convenor's pages in a real browser, on a desktop and on a
320-pixel phone screen (WCAG's reflow width), checked with axe-core on every page (QUALITY R19).

Each role signs in through the sign-in page once and keeps one browser context; every page
is checked at both widths (the viewport is resized, so media queries and GOV.UK Frontend's
responsive components run as they would on each device). One form error per role is checked
too: the error summary must pass axe and its first link must move focus to the field.
"""

from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

from maturity.db import db
from surveys.responses.models import Response
from surveys.responses.services import submit_response
from tests.browser.conftest import PHONE_WIDTH, assert_accessible, new_page, screenshot
from tests.factories import PASSWORD
from tests.surveys.journey_support import (
    make_in_progress_response,
    make_invitation,
    open_round,
)

pytestmark = pytest.mark.browser

WIDTHS = (("desktop", 1280), ("phone", PHONE_WIDTH))
SUBMITTED = 6  # above the default minimum group size, so the breakdown table shows


@dataclass
class Visit:
    """One role's tour: its page, where it is served, and the pages checked so far."""

    page: object
    base: str
    role: str
    seen: list[str] = field(default_factory=list)

    def go(self, path: str, name: str) -> None:
        self.page.set_viewport_size({"width": WIDTHS[0][1], "height": 900})
        response = self.page.goto(f"{self.base}{path}")
        assert response.ok, f"{path}: {response.status}"
        self.check(name)

    def check(self, name: str) -> None:
        """axe-core and a screenshot of the page as it is, at each width."""
        for label, width in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": 900})
            assert_accessible(self.page)
            screenshot(self.page, f"{self.role}-{len(self.seen) + 1:02d}-{name}-{label}")
        self.seen.append(name)


def sign_in(browser, base: str, role: str, email: str, home: str) -> Visit:
    """Sign in through the sign-in page; someone with one role lands on its home page."""
    visit = Visit(new_page(browser, width=WIDTHS[0][1], height=900), base, role)
    visit.go("/sign-in", "sign-in")
    visit.page.get_by_label("Email address").fill(email)
    visit.page.get_by_label("Password", exact=True).fill(PASSWORD)
    visit.page.get_by_role("button", name="Sign in").click()
    visit.page.wait_for_url(f"{base}{home}")
    visit.check("home")
    return visit


def assert_first_error_link_focuses(page, field_id: str) -> None:
    """Following the error summary's first link puts the cursor in the field at fault."""
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    summary.locator("a").first.click()
    focused = page.evaluate("document.activeElement && document.activeElement.id")
    assert focused == field_id


def submit_some_responses(survey, count: int = SUBMITTED) -> None:
    """Fully answered responses submitted through the service, as the journey does."""
    for _ in range(count):
        make_in_progress_response(survey.participation, survey.version)
    db.session.flush()
    responses = db.session.scalars(
        sa.select(Response).where(Response.participation_id == survey.participation.id)
    ).all()
    for number, response in enumerate(responses):
        assert submit_response(response, f"browser-test-{number}", survey.version.items)
    db.session.commit()


def test_coordinator_pages(browser, live_server, world):
    survey = open_round(world)
    submit_some_responses(survey)
    make_invitation(survey.participation, "invited@example.org")
    make_invitation(survey.participation, "another@example.org")
    db.session.commit()
    org = f"/o/{world.organisation.slug}"
    round_path = f"{org}/rounds/{survey.round.id}"

    visit = sign_in(browser, live_server, "coordinator", world.coordinator.email, f"{org}/")
    visit.go(f"{org}/people", "people")
    visit.go(f"{org}/people/invite", "invite")
    visit.page.get_by_role("button", name="Send invitation").click()
    visit.page.locator(".govuk-error-summary").wait_for()
    visit.check("invite-error")
    assert_first_error_link_focuses(visit.page, "name")
    visit.go(f"{org}/rounds/", "participation-list")
    visit.go(round_path, "participation")
    assert visit.page.locator("table", has_text="Works for").count() == 1
    visit.go(f"{round_path}/invitations", "invitations")
    assert "invited@example.org" in visit.page.content()
    visit.go(f"{round_path}/invitations/new", "invitation-new")
    visit.go(f"{round_path}/invitations/upload", "invitation-upload")
    visit.page.context.close()
    assert len(visit.seen) == 10


def test_convenor_pages(browser, live_server, world):
    survey = open_round(world)
    submit_some_responses(survey, count=2)
    collab = f"/c/{world.collaborative.slug}"

    visit = sign_in(browser, live_server, "convenor", world.convenor.email, f"{collab}/")
    visit.go(f"{collab}/settings", "settings")
    visit.go(f"{collab}/members/{world.membership.id}", "member")
    visit.go(f"{collab}/members/new", "member-new")
    visit.go(f"{collab}/members/add", "member-add-existing")
    visit.go(f"{collab}/rounds/", "round-list")
    visit.go(f"{collab}/rounds/{survey.round.id}", "round")
    visit.go(f"{collab}/rounds/new", "round-new")
    page = visit.page
    page.get_by_label("Round name").fill("Spring test round")
    opening = page.get_by_role("group", name="Opening date")
    opening.get_by_label("Day").fill("10")
    opening.get_by_label("Month").fill("3")
    opening.get_by_label("Year").fill("2027")
    closing = page.get_by_role("group", name="Closing date")
    closing.get_by_label("Day").fill("1")
    closing.get_by_label("Month").fill("3")
    closing.get_by_label("Year").fill("2027")
    page.get_by_role("button", name="Create round").click()
    page.locator(".govuk-error-summary").wait_for()
    visit.check("round-new-error")
    assert "must be the same as or after the opening date" in page.content()
    assert_first_error_link_focuses(page, "closes_on-day")
    visit.go(f"{collab}/frameworks/", "framework-list")
    page.get_by_role("link", name="View version 1").click()
    page.wait_for_url(f"**/frameworks/versions/{survey.version.id}")
    visit.check("framework-version")
    page.get_by_role("button", name="Create a new draft from this version").click()
    page.get_by_role("heading", name="Version 2").wait_for()
    visit.check("framework-draft")
    page.context.close()
    assert len(visit.seen) == 13
