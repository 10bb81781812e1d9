"""The API's resources: pagination, JSON errors, writes, and anonymity (QUALITY.md R3) on
every field that carries a figure, checked against the stored results."""

import re
from typing import Any

import pytest
import sqlalchemy as sa

from maturity.accounts.models import Role
from maturity.api.models import TokenScope
from maturity.api.openapi import openapi_path
from maturity.audit.models import AuditEvent
from maturity.collaboratives.models import PeerVisibility
from maturity.db import db
from maturity.exports.results import results_table
from maturity.organisations.models import Organisation
from maturity.results.models import ALL_RESPONDENTS, BenchmarkResult, DimensionResult
from surveys.charts.labels import peer_labels as charts_peer_labels
from surveys.rounds.models import NamingConsent, Participation, Round, RoundState
from tests.factories import RoleGrantFactory
from tests.maturity.api_support import API, bearer, issue_token
from tests.surveys.dashboard_support import seed_results
from tests.surveys.round_helpers import make_round

FIGURES = ("n", "mean", "median", "q1", "q3", "sd", "ci_low", "ci_high", "level", "rank")


@pytest.fixture
def convenor(world):
    return bearer(issue_token(world.convenor))


@pytest.fixture
def coordinator(world):
    return bearer(issue_token(world.coordinator))


def _collab(world) -> str:
    return f"{API}/collaboratives/{world.collaborative.slug}"


def _get(client, path: str, headers: dict, **params) -> Any:
    response = client.get(path, headers=headers, query_string=params or None)
    assert response.status_code == 200, (path, response.get_json())
    return response.get_json()


def _all_pages(client, path: str, headers: dict, limit: int) -> list[dict]:
    items, url = [], f"{path}?limit={limit}"
    while url:
        body = _get(client, url, headers)
        assert len(body["data"]) <= limit
        items.extend(body["data"])
        url = body["links"]["next"]
    return items


# Pagination and errors


def test_pages_follow_each_other_without_gaps_or_repeats(app, world, client, convenor):
    members = _all_pages(client, f"{_collab(world)}/members", convenor, limit=1)
    whole = _get(client, f"{_collab(world)}/members", convenor)["data"]
    assert [m["id"] for m in members] == [m["id"] for m in whole]
    assert {m["organisation"]["slug"] for m in whole} == {"home-council", "peer-council"}
    first = _get(client, f"{_collab(world)}/members", convenor, limit=1)
    assert first["links"]["next"] is not None
    assert _get(client, f"{_collab(world)}/members", convenor, limit=2)["links"]["next"] is None


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=201", "limit=ten", "limit=-1", "cursor=%%%", "cursor=bm90LWFuLWlk"]
)
def test_bad_paging_parameters_are_400_json(app, world, client, convenor, query):
    response = client.get(f"{_collab(world)}/members?{query}", headers=convenor)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_request"


def test_unknown_addresses_and_methods_answer_json(app, world, client, convenor):
    missing = client.get(f"{API}/no-such-thing", headers=convenor)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    wrong = client.delete(f"{API}/me", headers=convenor)
    assert wrong.status_code == 405 and wrong.get_json()["error"]["code"] == "method_not_allowed"
    assert "GET" in wrong.headers["Allow"]
    assert client.get("/no-such-page").mimetype == "text/html"  # pages keep their pages


def test_a_server_error_is_500_json(app, world, client, convenor, monkeypatch):
    def broken():
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "api.me_show", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get(f"{API}/me", headers=convenor)
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "server_error"
    assert "boom" not in response.get_data(as_text=True)


def test_the_openapi_document_describes_every_route(app, client):
    document = client.get(f"{API}/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    described = {
        (method.upper(), path) for path, ops in document["paths"].items() for method in ops
    }
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(API):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (method, openapi_path(rule.rule)) in described
    me = document["paths"][f"{API}/me"]["get"]
    assert me["security"] == [{"bearerAuth": []}]
    assert {"401", "429"} <= me["responses"].keys()


# Writes


def test_a_convenor_moves_a_round_with_a_read_write_token(app, world, client, convenor):
    round_id = make_round(world.collaborative).id
    path = f"{_collab(world)}/rounds/{round_id}/state"
    response = client.post(path, headers=convenor, json={"state": "closed"})
    assert response.status_code == 200
    assert response.get_json()["data"]["state"] == "closed"
    db.session.expire_all()
    assert db.session.get(Round, round_id).state == RoundState.CLOSED
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "round.state_changed")
    ).one()
    assert event.actor_id == world.convenor.id

    refused = client.post(path, headers=convenor, json={"state": "draft"})
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "invalid_transition"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"state": "shut"}, 400),
        ({"state": 3}, 400),
        ({}, 400),
        ({"state": "closed", "also": 1}, 400),
        (["closed"], 400),
        ("closed", 415),
    ],
)
def test_a_bad_round_move_is_refused_and_changes_nothing(
    app, world, client, convenor, body, status
):
    round_id = make_round(world.collaborative).id
    path = f"{_collab(world)}/rounds/{round_id}/state"
    if isinstance(body, str):
        response = client.post(path, headers=convenor, data=body)
    else:
        response = client.post(path, headers=convenor, json=body)
    assert response.status_code == status
    assert response.get_json()["error"]["message"]
    db.session.expire_all()
    assert db.session.get(Round, round_id).state == RoundState.OPEN


def test_a_coordinator_sets_eligible_staff(app, world, client, coordinator):
    round_id = make_round(world.collaborative).id
    path = f"{API}/organisations/{world.organisation.slug}/participations/{round_id}"
    response = client.patch(path, headers=coordinator, json={"eligible_staff": 40})
    assert response.status_code == 200
    assert response.get_json()["data"]["participation"]["eligible_staff"] == 40
    for bad in ({"eligible_staff": -1}, {"eligible_staff": True}, {"eligible_staff": "40"}, {}):
        refused = client.patch(path, headers=coordinator, json=bad)
        assert refused.status_code == 400, bad
    db.session.expire_all()
    stored = db.session.scalars(
        sa.select(Participation.eligible_staff).where(Participation.round_id == round_id)
    ).all()
    assert 40 in stored
    cleared = client.patch(path, headers=coordinator, json={"eligible_staff": None})
    assert cleared.get_json()["data"]["participation"]["eligible_staff"] is None


def test_a_coordinator_cannot_move_rounds(app, world, client, coordinator):
    round_id = make_round(world.collaborative).id
    path = f"{_collab(world)}/rounds/{round_id}/state"
    assert client.post(path, headers=coordinator, json={"state": "closed"}).status_code == 404


# Anonymity (R3)


def _walk(value: Any):
    if isinstance(value, dict):
        yield value
        for inner in value.values():
            yield from _walk(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _walk(inner)


def _assert_no_small_groups(body: Any, k: int) -> None:
    for mapping in _walk(body):
        if mapping.get("suppressed") is True:
            assert all(mapping.get(f) is None for f in FIGURES if f in mapping), mapping
            assert mapping.get("change") is None
        if isinstance(mapping.get("n"), int):
            assert mapping["n"] >= k, mapping
        if isinstance(mapping.get("count"), int) and mapping["count"] > 0:
            assert mapping["count"] >= k, mapping


@pytest.fixture
def seeded(world):
    return seed_results(world)


def _stored_results(round_id: int) -> dict[tuple[str, str], DimensionResult]:
    rows = db.session.execute(
        sa.select(Organisation.slug, DimensionResult)
        .join(Organisation, Organisation.id == DimensionResult.organisation_id)
        .where(DimensionResult.round_id == round_id, DimensionResult.segment == ALL_RESPONDENTS)
    ).all()
    return {(slug, row.dimension_key): row for slug, row in rows}


def test_the_convenor_gets_every_members_results_with_small_groups_suppressed(
    app, world, client, convenor, seeded
):
    k = world.collaborative.min_group_size
    path = f"{_collab(world)}/rounds/{seeded.latest_round_id}/results"
    api_rows = _all_pages(client, path, convenor, limit=7)
    stored = _stored_results(seeded.latest_round_id)
    assert len(api_rows) == len(stored) > 0
    for row in api_rows:
        figures = row["figures"]
        expected = stored[(row["organisation"]["slug"], figures["dimension_key"])]
        assert figures["suppressed"] == expected.suppressed
        if expected.suppressed:
            assert row["organisation"]["slug"] == "small-council"
        else:
            assert figures["mean"] == pytest.approx(expected.mean)
            assert figures["n"] == expected.n
            assert figures["rank"] == expected.rank
    assert any(r["figures"]["suppressed"] for r in api_rows)
    _assert_no_small_groups(api_rows, k)


def test_benchmarks_match_the_stored_ones(app, world, client, convenor, seeded):
    path = f"{_collab(world)}/rounds/{seeded.latest_round_id}/benchmarks"
    api_rows = {row["dimension_key"]: row for row in _get(client, path, convenor)["data"]}
    stored = db.session.scalars(
        sa.select(BenchmarkResult).where(BenchmarkResult.round_id == seeded.latest_round_id)
    ).all()
    assert api_rows.keys() == {row.dimension_key for row in stored}
    for row in stored:
        assert api_rows[row.dimension_key]["n_members"] == row.n_members
        assert api_rows[row.dimension_key]["median"] == pytest.approx(row.median)


def test_every_convenor_and_coordinator_response_keeps_small_groups_hidden(
    app, world, client, convenor, coordinator, seeded
):
    k = world.collaborative.min_group_size
    round_path = f"{_collab(world)}/rounds/{seeded.latest_round_id}"
    org_path = f"{API}/organisations/{world.organisation.slug}/participations"
    bodies = [
        _get(client, f"{round_path}/participations", convenor),
        _get(client, f"{round_path}/results", convenor),
        _get(client, f"{round_path}/benchmarks", convenor),
        _get(client, org_path, coordinator),
        _get(client, f"{org_path}/{seeded.latest_round_id}", coordinator),
        _get(client, f"{org_path}/{seeded.latest_round_id}/results", coordinator),
    ]
    _assert_no_small_groups(bodies, k)
    participations = bodies[0]["data"]
    small = next(p for p in participations if p["organisation"]["slug"] == "small-council")
    assert small["overall"] == {"suppressed": True, "mean": None, "level": None}


def _member_results(client, world, seeded, headers) -> dict:
    path = (
        f"{API}/organisations/{world.organisation.slug}/participations/"
        f"{seeded.latest_round_id}/results"
    )
    return _get(client, path, headers)["data"]


def _set_peer_consent(world, seeded, consent: NamingConsent) -> None:
    db.session.execute(
        sa.update(Participation)
        .where(
            Participation.round_id == seeded.latest_round_id,
            Participation.organisation_id == world.peer.id,
        )
        .values(naming_consent=consent)
    )
    db.session.commit()


def test_a_member_sees_consenting_peers_named_in_a_named_collaborative(
    app, world, client, coordinator, seeded
):
    _set_peer_consent(world, seeded, NamingConsent.PEERS)
    data = _member_results(client, world, seeded, coordinator)
    assert data["dimensions"]
    for dimension in data["dimensions"]:
        labels = {peer["label"]: peer for peer in dimension["peers"]}
        assert labels["Home Council"]["is_own"] is True
        assert labels["Peer Council"]["is_own"] is False
        assert "Small Council" not in labels  # below k: not reportable, not listed
        assert dimension["own"]["mean"] == pytest.approx(labels["Home Council"]["mean"])
        assert dimension["benchmark"]["n_members"] == len(dimension["peers"])


@pytest.mark.parametrize(
    ("visibility", "consent"),
    [
        (PeerVisibility.NAMED, NamingConsent.CONVENOR_ONLY),
        (PeerVisibility.ANONYMISED, NamingConsent.PEERS),
        (PeerVisibility.ANONYMISED, NamingConsent.PUBLIC),
    ],
)
def test_anonymised_peers_are_never_named(
    app, world, client, coordinator, seeded, visibility, consent
):
    world.collaborative.peer_visibility = visibility
    db.session.commit()
    _set_peer_consent(world, seeded, consent)
    data = _member_results(client, world, seeded, coordinator)
    text = str(data)
    assert "Peer Council" not in text and "peer-council" not in text
    for dimension in data["dimensions"]:
        others = [peer["label"] for peer in dimension["peers"] if not peer["is_own"]]
        assert others == [_charts_label(app, world, seeded, visibility, consent)]
        assert re.fullmatch(r"Member [A-Z]", others[0])
        own = [peer["label"] for peer in dimension["peers"] if peer["is_own"]]
        assert own == ["Home Council"]


def _charts_label(app, world, seeded, visibility, consent) -> str:
    """What the member's charts call the peer (the API must call it the same)."""
    labels = charts_peer_labels(
        secret=app.config["SECRET_KEY"],
        visibility=visibility,
        round_id=seeded.latest_round_id,
        names={world.organisation.id: "Home Council", world.peer.id: "Peer Council"},
        consents={world.peer.id: consent},
        viewer_organisation_id=world.organisation.id,
    )
    return labels[world.peer.id]


def test_a_member_below_k_gets_no_figures_about_itself(app, world, client, seeded):
    small = db.session.get(Participation, seeded.small_participation_id).organisation
    person = RoleGrantFactory(role=Role.COORDINATOR, organisation=small).user
    headers = bearer(issue_token(person, TokenScope.READ))
    path = f"{API}/organisations/{small.slug}/participations/{seeded.latest_round_id}"
    data = _get(client, f"{path}/results", headers)["data"]
    assert data["overall"] == {"suppressed": True, "mean": None, "level": None}
    assert all(d["own"]["suppressed"] for d in data["dimensions"])
    detail = _get(client, path, headers)["data"]
    assert detail["participation"]["responses"]["submitted"] == 3
    assert detail["perspectives"] == {"withheld": True, "rows": []}
    _assert_no_small_groups(data, world.collaborative.min_group_size)


# Exports


def _export_path(world, seeded, what: str = "results") -> str:
    return f"{_collab(world)}/rounds/{seeded.latest_round_id}/exports/{what}"


def test_the_results_export_is_the_export_pages_table(app, world, client, seeded):
    headers = bearer(issue_token(world.convenor, TokenScope.READ))  # exporting only reads
    response = client.get(_export_path(world, seeded), headers=headers, buffered=True)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = response.get_json()["results"]
    round_ = db.session.get(Round, seeded.latest_round_id)
    table_headers, table_rows = results_table(round_)
    assert rows == [dict(zip(table_headers, _json_ready(row), strict=True)) for row in table_rows]
    small = [row for row in rows if row["member"] == "Small Council"]
    assert small and all(row["mean"] is None and row["n"] is None for row in small)
    _assert_no_small_groups(rows, world.collaborative.min_group_size)
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "export.created" in actions


def _json_ready(row) -> list:
    return [value.isoformat() if hasattr(value, "isoformat") else value for value in row]


def _export(client, path: str, headers: dict, fmt: str):
    return client.get(path, headers=headers, query_string={"format": fmt}, buffered=True)


def test_exports_come_as_csv_and_xlsx_too(app, world, client, convenor, seeded):
    path = _export_path(world, seeded)
    csv = _export(client, path, convenor, "csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert csv.get_data(as_text=True).lstrip("\ufeff").startswith("round,member,")
    xlsx = _export(client, path, convenor, "xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert _export(client, path, convenor, "pdf").status_code == 400


def test_respondent_rows_only_where_the_collaborative_allows(app, world, client, convenor, seeded):
    path = _export_path(world, seeded, "responses")
    refused = client.get(path, headers=convenor)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "export_not_allowed"
    world.collaborative.respondent_rows_export = True
    db.session.commit()
    allowed = client.get(path, headers=convenor, buffered=True)
    assert allowed.status_code == 200
    assert allowed.get_json()["responses"]


@pytest.mark.parametrize("round_id", [2**31, 2**63, 10**30])
def test_an_id_no_row_can_have_is_404(app, world, client, convenor, coordinator, round_id):
    for path, headers in (
        (f"{_collab(world)}/rounds/{round_id}", convenor),
        (f"{API}/organisations/{world.organisation.slug}/participations/{round_id}", coordinator),
    ):
        response = client.get(path, headers=headers)
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
