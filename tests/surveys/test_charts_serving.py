"""Serving charts: stored images with an ETag and long private caching (304 when the browser
has them), CSV of the figures, the dashboards' ChartView records, and nobody reaching
another member's or another collaborative's charts."""

import csv
import io

import pytest
from flask import g

from maturity.db import db
from maturity.organisations.models import Organisation
from maturity.tenancy import TenantScope, activate_scope
from surveys.charts import drawing
from surveys.charts.catalogue import (
    collaborative_chart_set,
    group_name,
    group_prefix,
    member_chart_set,
    member_prefix,
)
from surveys.charts.services import collaborative_charts, member_charts
from tests.helpers import sign_in
from tests.surveys.chart_support import seed_chart_world

ONE_YEAR = 365 * 24 * 3600


@pytest.fixture
def charts(world):
    return seed_chart_world(world)


def _store_member_chart(world, charts, chart_id="profile"):
    entry = next(
        e
        for e in member_chart_set(charts.latest_round_id, charts.home_id)
        if e.chart_id == chart_id
    )
    prefix = member_prefix(world.collaborative.id, charts.latest_round_id, charts.home_id)
    drawing.store_entries(prefix, world.collaborative.id, [entry])
    return entry


def _member_url(charts, entry, fmt="svg", org_slug="home-council"):
    return f"/o/{org_slug}/charts/{charts.latest_round_id}/{entry.chart_id}/{entry.digest}.{fmt}"


def _client(app, email):
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def test_a_coordinator_gets_their_chart_with_an_etag_and_then_a_304(app, world, charts):
    entry = _store_member_chart(world, charts)
    client = _client(app, world.coordinator.email)
    for fmt, mimetype in (("svg", "image/svg+xml"), ("png", "image/png")):
        response = client.get(_member_url(charts, entry, fmt))
        assert response.status_code == 200
        assert response.mimetype == mimetype
        assert response.cache_control.private and response.cache_control.max_age == ONE_YEAR
        etag = response.get_etag()[0]
        again = client.get(_member_url(charts, entry, fmt), headers={"If-None-Match": f'"{etag}"'})
        assert again.status_code == 304 and again.data == b""
    assert client.get(_member_url(charts, entry)).data.lstrip().startswith(b"<?xml")


def test_a_chart_not_drawn_yet_or_of_another_version_is_not_found(app, world, charts):
    entry = _store_member_chart(world, charts)
    client = _client(app, world.coordinator.email)
    other = f"/o/home-council/charts/{charts.latest_round_id}/profile/{'f' * 20}.svg"
    assert client.get(other).status_code == 404
    trend = next(
        e for e in member_chart_set(charts.latest_round_id, charts.home_id) if e.chart_id == "trend"
    )
    assert client.get(_member_url(charts, trend)).status_code == 404
    assert (
        client.get(_member_url(charts, entry).replace("profile", "../profile")).status_code == 404
    )


def test_nobody_reaches_another_members_or_collaboratives_charts(app, world, charts):
    peer = db.session.get(Organisation, charts.peer_id)
    entry = next(
        e for e in member_chart_set(charts.latest_round_id, peer.id) if e.chart_id == "profile"
    )
    drawing.store_entries(
        member_prefix(world.collaborative.id, charts.latest_round_id, peer.id),
        world.collaborative.id,
        [entry],
    )
    coordinator = _client(app, world.coordinator.email)
    assert coordinator.get(_member_url(charts, entry, org_slug=peer.slug)).status_code == 404
    # The home member's URL with the peer's chart digest finds nothing either: the key is
    # built from the coordinator's own organisation.
    assert coordinator.get(_member_url(charts, entry)).status_code == 404
    foreign = _client(app, world.foreign_convenor.email)
    group = group_name(None)
    convenor_entry = collaborative_chart_set(charts.latest_round_id)[0]
    drawing.store_entries(
        group_prefix(world.collaborative.id, charts.latest_round_id, group),
        world.collaborative.id,
        [convenor_entry],
    )
    url = (
        f"/c/home-partnership/charts/{charts.latest_round_id}/{group}/"
        f"{convenor_entry.chart_id}/{convenor_entry.digest}.svg"
    )
    assert foreign.get(url).status_code == 404
    assert coordinator.get(url).status_code == 404
    assert _client(app, world.convenor.email).get(url).status_code == 200


def _csv_rows(response):
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def test_the_download_data_link_gives_the_charts_table_as_csv(app, world, charts):
    client = _client(app, world.coordinator.email)
    response = client.get(f"/o/home-council/charts/{charts.latest_round_id}/profile.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    profile = next(e for e in member_chart_set(charts.latest_round_id, charts.home_id))
    headers, rows = profile.chart.table()
    assert _csv_rows(response) == [headers] + [
        ["" if cell is None else str(cell) for cell in row] for row in rows
    ]
    missing = client.get(f"/o/home-council/charts/{charts.latest_round_id}/nothing.csv")
    assert missing.status_code == 404


def test_csv_cells_a_spreadsheet_would_run_are_neutralised(app, world, charts):
    db.session.get(Organisation, charts.peer_id).name = '=HYPERLINK("http://evil")'
    db.session.commit()
    client = _client(app, world.coordinator.email)
    response = client.get(
        f"/o/home-council/charts/{charts.latest_round_id}/benchmark-collaboration.csv"
    )
    labels = [row[0] for row in _csv_rows(response)]
    assert '\'=HYPERLINK("http://evil")' in labels
    assert not any(label.startswith("=") for label in labels)


def test_a_convenor_downloads_a_comparator_groups_figures(app, world, charts):
    client = _client(app, world.convenor.email)
    group = group_name("metropolitan")
    url = f"/c/home-partnership/charts/{charts.latest_round_id}/{group}/heatmap.csv"
    rows = _csv_rows(client.get(url))
    assert sorted(row[0] for row in rows[1:]) == ["Home Council", "Peer Council", "Quiet Council"]
    unknown = f"/c/home-partnership/charts/{charts.latest_round_id}/tag-{'0' * 16}/heatmap.csv"
    assert client.get(unknown).status_code == 404


def test_chart_views_link_images_once_drawn(app, world, charts):
    with app.test_request_context():
        before = {v.chart_id: v for v in member_charts(charts.latest_round_id, charts.home_id)}
    assert before["profile"].image_url is None and not before["profile"].is_drawn
    assert before["profile"].data_url.endswith("/profile.csv")
    entry = _store_member_chart(world, charts)
    with app.test_request_context():
        after = {v.chart_id: v for v in member_charts(charts.latest_round_id, charts.home_id)}
        g.collaborative = world.collaborative
        convenor = collaborative_charts(charts.latest_round_id, "metropolitan")
    view = after["profile"]
    assert view.image_url == _member_url(charts, entry)
    assert view.png_url == _member_url(charts, entry, "png")
    assert (view.headers, view.rows) == entry.chart.table()
    assert view.alt_text == entry.chart.alt_text() and view.alt_text
    assert after["trend"].image_url is None
    assert {v.chart_id for v in convenor} >= {"heatmap", "benchmark-collaboration"}
    assert all(group_name("metropolitan") in v.data_url for v in convenor)
    assert collaborative_charts(charts.latest_round_id, "coastal") == []


def test_no_chart_views_outside_the_callers_scope(app, world, charts):
    with app.test_request_context():
        activate_scope(
            TenantScope(
                frozenset({world.foreign_organisation.id}),
                frozenset({world.foreign_collaborative.id}),
            )
        )
        assert member_charts(charts.latest_round_id, charts.home_id) == []
        assert collaborative_charts(charts.latest_round_id) == []
        db.session.info.pop("tenant_scope")
        assert member_charts(charts.latest_round_id, charts.home_id) != []
        assert member_charts(charts.latest_round_id, charts.small_id) == []
