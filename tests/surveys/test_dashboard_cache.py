"""The member results page keeps its view model between requests: a repeat view only reads
the page's version and renders, and anything that changes what the page shows (new
answers, new results, a renamed peer, a chart drawn) shows on the very next view."""

from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from maturity.accounts.models import Role
from maturity.db import db
from surveys.charts.catalogue import member_entries, member_prefix
from surveys.charts.context import load_round_context
from surveys.charts.drawing import store_entries
from surveys.dashboards.cache import CachedPage, ViewModelCache, page_cache
from surveys.dashboards.member import member_dashboard
from surveys.rounds.models import Participation
from tests.factories import RoleGrantFactory, UserFactory
from tests.surveys.dashboard_support import seed_results, trim_submitted
from tests.surveys.test_dashboards import MEMBER_PAGE, UPDATING, cells, client_for

# Signing in and the tenant scope (4), the organisation's rounds (1), the page's version
# (1), the report's status (3), with room for a session check or two.
REPEAT_VIEW_QUERIES = 12


@pytest.fixture
def seeded(world):
    return seed_results(world)


@contextmanager
def counted_queries():
    """Every SQL statement sent while the block runs."""
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def headline_means(html: str) -> list[str]:
    return [row[2] for row in cells(html, "headline")]


def test_a_repeat_view_reads_only_the_version_and_shows_the_same_figures(app, world, seeded):
    client = client_for(app, world.coordinator.email)
    with counted_queries() as first_view:
        first = client.get(MEMBER_PAGE).get_data(as_text=True)

    with counted_queries() as repeat_view:
        repeat = client.get(MEMBER_PAGE).get_data(as_text=True)

    assert len(repeat_view) <= REPEAT_VIEW_QUERIES
    assert len(first_view) >= len(repeat_view) + 10
    assert cells(repeat, "headline") == cells(first, "headline")
    assert cells(repeat, "history") == cells(first, "history")
    assert repeat.count('class="app-chart"') == first.count('class="app-chart"') > 0


def test_new_results_show_on_the_next_view_never_the_cached_figures(app, world, seeded):
    client = client_for(app, world.coordinator.email)
    before = headline_means(client.get(MEMBER_PAGE).get_data(as_text=True))
    participation = db.session.get(Participation, seeded.home_participation_id)
    participation.answers_version += 1  # a submission whose results are not computed yet
    db.session.commit()

    updating = client.get(MEMBER_PAGE).get_data(as_text=True)
    trim_submitted(seeded.home_participation_id, keep=6)  # new answers, new results
    after = headline_means(client.get(MEMBER_PAGE).get_data(as_text=True))

    assert UPDATING in updating
    assert 'id="headline"' not in updating
    expected = member_dashboard(db.session.get(Participation, seeded.home_participation_id))
    assert after == [f"{row.mean:.2f}" for row in expected.headline]
    assert after != before


def test_a_renamed_peer_is_shown_by_its_new_name_on_the_next_view(app, world, seeded):
    client = client_for(app, world.coordinator.email)
    assert "Peer Council" in client.get(MEMBER_PAGE).get_data(as_text=True)
    world.peer.name = "Renamed Borough"
    db.session.commit()

    html = client.get(MEMBER_PAGE).get_data(as_text=True)

    assert "Renamed Borough" in html
    assert "Peer Council" not in html


def test_a_chart_drawn_after_a_view_shows_its_image_on_the_next_view(app, world, seeded):
    client = client_for(app, world.coordinator.email)
    undrawn = client.get(MEMBER_PAGE).get_data(as_text=True)
    participation = db.session.get(Participation, seeded.home_participation_id)
    entries = member_entries(load_round_context(participation.round_id), world.organisation.id)
    prefix = member_prefix(world.collaborative.id, participation.round_id, world.organisation.id)
    store_entries(prefix, world.collaborative.id, entries)
    db.session.commit()

    drawn = client.get(MEMBER_PAGE).get_data(as_text=True)

    assert 'class="app-chart__image"' not in undrawn
    assert drawn.count('class="app-chart__image"') == len(entries) > 0


def test_each_member_sees_its_own_figures_never_another_members_cached_ones(app, world, seeded):
    peer_coordinator = UserFactory(email="peer-coordinator@example.org", name="Pat Peer")
    RoleGrantFactory(user=peer_coordinator, role=Role.COORDINATOR, organisation=world.peer)
    db.session.commit()
    home = client_for(app, world.coordinator.email).get(MEMBER_PAGE).get_data(as_text=True)

    peer_page = client_for(app, peer_coordinator.email).get("/o/peer-council/results/")
    stranger = client_for(app, world.foreign_coordinator.email).get(MEMBER_PAGE)

    peer = db.session.scalars(
        sa.select(Participation).where(
            Participation.round_id == seeded.latest_round_id,
            Participation.organisation_id == world.peer.id,
        )
    ).one()
    expected = [f"{row.mean:.2f}" for row in member_dashboard(peer).headline]
    assert headline_means(peer_page.get_data(as_text=True)) == expected
    assert expected != headline_means(home)
    assert stranger.status_code == 404


def test_the_cache_keeps_the_most_recently_used_pages(app):
    cache = ViewModelCache(size=2)
    for key in ("a", "b"):
        cache.put(key, CachedPage((key,), {}, []))
    cache.get("a")  # "b" is now the least recently used
    cache.put("c", CachedPage(("c",), {}, []))

    assert [key for key in ("a", "b", "c") if cache.get(key) is not None] == ["a", "c"]
    with app.app_context():
        assert page_cache() is page_cache()
