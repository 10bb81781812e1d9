"""The respondent journey in a real browser on a 320-pixel screen (WCAG's reflow width),
with and without JavaScript, checked with axe-core on every page (QUALITY R19)."""

import pytest
import sqlalchemy as sa

from maturity.db import db
from surveys.responses.models import Answer, Response, ResponseStatus
from tests.browser.conftest import assert_accessible, new_page, screenshot
from tests.surveys.journey_support import open_round

pytestmark = pytest.mark.browser


def answer_section(page) -> None:
    """Choose the third option of every radio group and fill any text box."""
    groups = page.locator("fieldset.govuk-fieldset").all()
    for group in groups:
        radios = group.locator("input[type=radio]")
        if radios.count():
            radios.nth(min(2, radios.count() - 2)).check()
    for textarea in page.locator("textarea").all():
        textarea.fill("Shared budgets for neighbourhood teams")


def visit(page, pages_seen: list[str], name: str) -> None:
    assert_accessible(page, javascript="no-js" not in name)
    pages_seen.append(name)
    screenshot(page, name)


def submitted_responses() -> list[Response]:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(Response).where(Response.status == ResponseStatus.SUBMITTED)
    ).all()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_start_leave_resume_check_and_submit_on_a_phone(browser, live_server, world, javascript):
    survey = open_round(world)
    suffix = "js" if javascript else "no-js"
    seen: list[str] = []
    page = new_page(browser, javascript=javascript)
    page.goto(f"{live_server}{survey.share_path}")
    visit(page, seen, f"journey-{suffix}-01-start")
    page.get_by_role("button", name="Start now").click()
    page.wait_for_url("**/tasks")
    visit(page, seen, f"journey-{suffix}-02-tasks")

    page.get_by_role("link", name="About you").click()
    visit(page, seen, f"journey-{suffix}-03-about-you")
    answer_section(page)
    page.get_by_role("button", name="Save and continue").click()
    visit(page, seen, f"journey-{suffix}-04-first-dimension")
    answer_section(page)
    page.get_by_role("button", name="Save and come back later").click()
    page.wait_for_url("**/saved")
    visit(page, seen, f"journey-{suffix}-05-saved")
    resume_link = page.locator(".app-resume-link a").get_attribute("href")
    page.context.close()

    # Later, on another device: the saved link resumes where they left off.
    page = new_page(browser, javascript=javascript)
    page.goto(resume_link)
    assert "You have completed 2 of" in page.content()
    sections = page.locator(".govuk-task-list__item a").all()
    remaining = [s.get_attribute("href") for s in sections[2:]]
    for href in remaining:
        page.goto(f"{live_server}{href}")
        answer_section(page)
        page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/check")
    visit(page, seen, f"journey-{suffix}-06-check")
    page.get_by_role("button", name="Submit your answers").click()
    page.wait_for_url("**/submitted")
    visit(page, seen, f"journey-{suffix}-07-submitted")
    assert "Answers submitted" in page.content()
    page.context.close()

    responses = submitted_responses()
    assert len(responses) == 1
    answered = db.session.scalar(
        sa.select(sa.func.count()).where(Answer.response_id == responses[0].id)
    )
    assert answered == len(survey.version.items)
    assert len(seen) == 7


def test_autosave_keeps_answers_without_pressing_save(browser, live_server, world):
    survey = open_round(world)
    page = new_page(browser)
    page.goto(f"{live_server}{survey.share_path}")
    page.get_by_role("button", name="Start now").click()
    page.wait_for_url("**/tasks")
    page.get_by_role("link", name="Collaboration across services").click()
    page.locator("fieldset.govuk-fieldset").first.locator("input[type=radio]").nth(1).check()
    page.wait_for_function(
        "document.getElementById('autosave-status').textContent.startsWith('Saved')"
    )
    db.session.expire_all()
    values = db.session.scalars(sa.select(Answer.value)).all()
    assert values == ["2"]
    page.reload()
    assert (
        page.locator("fieldset.govuk-fieldset")
        .first.locator("input[type=radio]")
        .nth(1)
        .is_checked()
    )
    page.context.close()
