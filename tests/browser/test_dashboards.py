"""The results dashboards in a real browser (QUALITY R19), checked with axe-core at desktop
and phone widths: the coordinator sees every one of the member's charts with its alt text
and table; the convenor's heatmap and momentum maps cover every member with enough
responses, and no member below the minimum group size."""

from dataclasses import dataclass

import pytest

from surveys.charts.catalogue import collaborative_chart_set, member_chart_set
from surveys.charts.jobs import render_round_charts
from tests.browser.test_coordinator_and_convenor import sign_in
from tests.surveys.dashboard_support import Seeded, seed_results

pytestmark = pytest.mark.browser

REPORTED_MEMBERS = {"Home Council", "Peer Council"}  # Small Council is below k


@dataclass(frozen=True)
class Charted:
    """Plain values of the seeded world (the chart job ends the session's ORM objects)."""

    seeded: Seeded
    organisation_id: int
    coordinator_email: str
    convenor_email: str


@pytest.fixture
def charted(world) -> Charted:
    """Three rounds of results with every chart of the latest drawn, as the worker does."""
    seeded = seed_results(world)
    charted = Charted(seeded, world.organisation.id, world.coordinator.email, world.convenor.email)
    render_round_charts(seeded.latest_round_id)
    return charted


def chart_sections(page) -> list[dict]:
    """Each chart on the page: its kind, its image's alt text, whether the image loaded and
    how much it is scaled down from the size it was drawn at, its table's first two columns,
    and its data link."""
    return page.eval_on_selector_all(
        "section.app-chart",
        """sections => sections.map(s => {
            const img = s.querySelector('img');
            const rows = [...s.querySelectorAll('tbody tr')];
            const column = n => rows.map(r => r.cells[n] ? r.cells[n].innerText.trim() : null);
            return {
                kind: s.dataset.kind,
                alt: img ? img.getAttribute('alt') : null,
                loaded: img ? img.complete && img.naturalWidth > 0 : false,
                shown: img && img.naturalWidth
                    ? img.getBoundingClientRect().width / img.naturalWidth : null,
                firsts: column(0),
                seconds: column(1),
                data: !!s.querySelector('a[download]'),
            };
        })""",
    )


def test_the_coordinator_sees_every_chart_with_alt_text_and_a_table(browser, live_server, charted):
    expected = member_chart_set(charted.seeded.latest_round_id, charted.organisation_id)
    visit = sign_in(
        browser, live_server, "dashboard-coordinator", charted.coordinator_email, "/o/home-council/"
    )
    visit.go("/o/home-council/results/", "member-results")
    visit.page.set_viewport_size({"width": 1280, "height": 900})  # a desktop screen

    sections = chart_sections(visit.page)

    assert [s["kind"] for s in sections] == [entry.chart.kind for entry in expected]
    assert len(sections) >= 6
    for section in sections:
        assert section["alt"], section
        assert section["loaded"], section
        assert section["firsts"], section
        assert section["data"], section
        assert section["shown"] == pytest.approx(1.0, abs=0.02), section  # text as drawn
    assert visit.page.locator("#headline tbody tr").count() == len(sections[0]["firsts"])
    visit.go(f"/o/home-council/results/?round={charted.seeded.round_ids[0]}", "member-results-past")


def test_the_convenor_sees_every_reported_member_on_the_heatmap_and_momentum_maps(
    browser, live_server, charted
):
    expected = collaborative_chart_set(charted.seeded.latest_round_id)
    visit = sign_in(
        browser, live_server, "dashboard-convenor", charted.convenor_email, "/c/home-partnership/"
    )
    visit.go("/c/home-partnership/results/", "collaborative-results")

    sections = chart_sections(visit.page)

    assert len(sections) == len(expected)
    heatmap = [s for s in sections if s["kind"] == "heatmap"]
    momentum = [s for s in sections if s["kind"] == "momentum"]
    assert len(heatmap) == 1
    assert set(heatmap[0]["firsts"]) == REPORTED_MEMBERS
    assert momentum
    for section in momentum:  # numbered points, the key naming each
        assert section["firsts"] == [str(n) for n in range(1, len(REPORTED_MEMBERS) + 1)]
        assert set(section["seconds"]) == REPORTED_MEMBERS
    for section in sections:
        assert section["alt"] and section["loaded"], section
    visit.go("/c/home-partnership/results/?group=coastal", "collaborative-results-coastal")
