"""Run by tests/test_no_matplotlib_in_requests.py in a fresh interpreter (the name keeps
the normal run from collecting it): every page and chart route a coordinator or a convenor
can GET is requested, and matplotlib must never have been imported."""

import sys

from flask import Flask, g

from maturity.db import db
from maturity.storage.services import put_file
from surveys.charts.catalogue import (
    chart_key,
    collaborative_chart_set,
    group_name,
    group_prefix,
    member_chart_set,
    member_prefix,
)
from surveys.charts.services import collaborative_charts, member_charts
from tests.helpers import sign_in
from tests.surveys.chart_support import seed_chart_world


def _store_stand_ins(world, charts) -> None:
    """Files where the worker would put the charts, without drawing them."""
    collaborative_id, round_id = world.collaborative.id, charts.latest_round_id
    sets = [
        (
            member_prefix(collaborative_id, round_id, charts.home_id),
            member_chart_set(round_id, charts.home_id),
        )
    ]
    for tag in (None, "metropolitan"):
        prefix = group_prefix(collaborative_id, round_id, group_name(tag))
        sets.append((prefix, collaborative_chart_set(round_id, tag)))
    for prefix, entries in sets:
        for entry in entries:
            for fmt, mimetype in (("svg", "image/svg+xml"), ("png", "image/png")):
                key = chart_key(prefix, entry.chart_id, entry.digest, fmt)
                put_file(
                    key, collaborative_id=collaborative_id, content=b"x", content_type=mimetype
                )


def _page_urls(app: Flask, prefix: str, params: dict) -> list[str]:
    adapter = app.url_map.bind("localhost")
    urls = []
    for rule in app.url_map.iter_rules():
        if (
            "GET" in rule.methods
            and rule.rule.startswith(prefix)
            and rule.arguments <= params.keys()
        ):
            urls.append(adapter.build(rule.endpoint, {a: params[a] for a in rule.arguments}))
    return urls


def _chart_urls(views) -> list[str]:
    return [url for v in views for url in (v.image_url, v.png_url, v.data_url)]


def test_no_page_or_chart_route_loads_matplotlib(app, world):
    assert "matplotlib" not in sys.modules, "loaded before any request"
    charts = seed_chart_world(world)
    _store_stand_ins(world, charts)
    db.session.commit()
    params = {
        "org_slug": "home-council",
        "collab_slug": "home-partnership",
        "round_id": charts.latest_round_id,
    }
    with app.test_request_context():
        member_views = member_charts(charts.latest_round_id, charts.home_id)
    with app.test_request_context():
        g.collaborative = world.collaborative
        convenor_views = collaborative_charts(charts.latest_round_id)
        convenor_views += collaborative_charts(charts.latest_round_id, "metropolitan")
    for email, prefix, views in (
        (world.coordinator.email, "/o/", member_views),
        (world.convenor.email, "/c/", convenor_views),
    ):
        client = app.test_client()
        assert sign_in(client, email).status_code == 302
        for url in _chart_urls(views):
            assert client.get(url).status_code == 200, url
        pages = _page_urls(app, prefix, params)
        assert any("/results/" in url for url in pages), "the dashboards are among the pages"
        for url in pages:
            assert client.get(url).status_code < 500, url
    loaded = sorted(name for name in sys.modules if name.split(".")[0] == "matplotlib")
    assert not loaded, f"a request loaded {loaded[:3]}"
