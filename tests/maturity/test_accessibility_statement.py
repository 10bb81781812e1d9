"""The accessibility statement says what the accessibility regulations (PSBAR 2018) ask of a
public sector body's statement: compliance status, what is not accessible and why, how to
ask for another format or report a problem, the enforcement procedure, and when it was
prepared and reviewed."""

import pytest
from bs4 import BeautifulSoup

from maturity.home.views import ACCESSIBILITY_STATEMENT

REQUIRED_HEADINGS = [
    "Feedback and contact information",
    "Reporting accessibility problems with this service",
    "Enforcement procedure",
    "Compliance status",
    "Non-accessible content",
    "Preparation of this accessibility statement",
]


def _statement(client) -> BeautifulSoup:
    response = client.get("/accessibility")
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def test_the_statement_has_every_section_the_regulations_require(client):
    page = _statement(client)
    headings = [h.get_text(strip=True) for h in page.select("main h2, main h3")]
    for heading in REQUIRED_HEADINGS:
        assert heading in headings


def test_the_statement_gives_a_compliance_status_and_names_the_enforcer(client):
    text = _statement(client).get_text(" ", strip=True)
    assert "partially compliant with the Web Content Accessibility Guidelines version 2.2" in text
    assert "Equality and Human Rights Commission" in text
    assert "Equality Advisory and Support Service" in text
    assert "Equality Commission for Northern Ireland" in text


def test_the_statement_says_when_it_was_prepared_and_will_be_reviewed(client):
    text = _statement(client).get_text(" ", strip=True)
    assert f"prepared on {ACCESSIBILITY_STATEMENT.prepared}" in text
    assert f"last reviewed on {ACCESSIBILITY_STATEMENT.reviewed}" in text
    assert f"reviewed again by {ACCESSIBILITY_STATEMENT.next_review}" in text


def test_each_known_issue_names_the_criterion_it_fails(client):
    page = _statement(client)
    heading = page.find("h4", string="Non-compliance with the accessibility regulations")
    issues = heading.find_next("ul").find_all("li")
    assert issues
    for issue in issues:
        assert "success criterion" in issue.get_text()


@pytest.fixture
def contact_email(app):
    app.config["SERVICE_CONTACT_EMAIL"] = "access@placewise.example"
    yield "access@placewise.example"
    app.config["SERVICE_CONTACT_EMAIL"] = ""


def test_a_configured_contact_address_is_where_people_ask(client, contact_email):
    page = _statement(client)
    links = [a["href"] for a in page.select("main a[href^='mailto:']")]
    assert f"mailto:{contact_email}" in links


def test_without_a_contact_address_people_are_sent_to_their_coordinator(client):
    text = _statement(client).get_text(" ", strip=True)
    assert "ask your council's coordinator or your collaborative's convenor" in text
