"""R1 for the JSON API: every API rule × method × role, with bearer tokens, against the
other tenant's objects. An API rule missing from ``API_ACCESS`` fails the build.

Strangers get 404 (never 403) with a JSON body, no body shows the other tenant's marker,
and no request changes the other tenant's rows. A browser session without a token gets 401
on every API route (the API's answer to CSRF), and a read-only token cannot write.
"""

# ruff: noqa: F811  (tests take the imported route-matrix fixture by its name)
import pytest
from flask import Flask
from werkzeug.routing import Rule

from maturity.accounts.models import User
from maturity.api.errors import API_PREFIX
from maturity.api.models import TokenScope
from maturity.db import db
from tests.conftest import FOREIGN_MARKER, table_snapshot
from tests.helpers import sign_in
from tests.maturity.api_support import bearer, issue_token
from tests.test_route_matrix import API, ROUTE_ACCESS, Tenants, _path
from tests.test_route_matrix import tenants as matrix_tenants  # noqa: F401  (a fixture)

MINE = "mine"  # lists or describes the token's own person: nobody else's objects
CONVENOR = "collaborative"  # the URL's collaborative's convenors, and admins
COORDINATOR = "organisation"  # the URL's organisation's coordinators, and admins
PUBLIC_DOCUMENT = "public"

API_ACCESS = {
    "api.openapi_json": PUBLIC_DOCUMENT,
    "api.me_show": MINE,
    "api.collaborative_list": MINE,
    "api.organisation_list": MINE,
    "api.collaborative_show": CONVENOR,
    "api.member_list": CONVENOR,
    "api.round_list": CONVENOR,
    "api.round_show": CONVENOR,
    "api.round_state_change": CONVENOR,
    "api.round_participation_list": CONVENOR,
    "api.round_result_list": CONVENOR,
    "api.round_benchmark_list": CONVENOR,
    "api.round_export": CONVENOR,
    "api.organisation_show": COORDINATOR,
    "api.participation_list": COORDINATOR,
    "api.participation_show": COORDINATOR,
    "api.participation_update": COORDINATOR,
    "api.participation_results": COORDINATOR,
}
ROLES = ("respondent", "coordinator", "convenor_of_another_collaborative", "admin")
# The token's own row records when it was last used: that is the one change allowed.
TOKEN_TABLE = "api_tokens"


def _api_rules(app: Flask) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules() if rule.rule.startswith(API_PREFIX)]


def _api_calls(app: Flask, params: dict) -> list[tuple[str, str, str]]:
    """(endpoint, method, path) for every API rule and method, writes last."""
    found = [
        (rule.endpoint, method, _path(app, rule, method, params))
        for rule in _api_rules(app)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]
    return sorted(found, key=lambda call: (call[1] != "GET", call[2]))


def _token_for(people: Tenants, role: str, scope=TokenScope.READ_WRITE) -> dict[str, str]:
    return bearer(issue_token(db.session.get(User, people.user_ids[role]), scope))


def _send(client, method: str, path: str, headers: dict):
    body = None if method == "GET" else {}
    return client.open(path, method=method, headers=headers, json=body, buffered=True)


def _changed(before: dict, after: dict) -> list[str]:
    return [t for t in before if t != TOKEN_TABLE and before[t] != after[t]]


def test_every_api_route_is_listed(app):
    endpoints = {rule.endpoint for rule in _api_rules(app)}
    assert endpoints, "no API routes: the matrix below is vacuous"
    missing = sorted(endpoints - API_ACCESS.keys())
    assert not missing, f"API routes missing from API_ACCESS in {__file__}: {missing}"
    assert not sorted(API_ACCESS.keys() - endpoints), "API_ACCESS lists routes that are gone"
    not_api = sorted(e for e in endpoints - {"api.openapi_json"} if ROUTE_ACCESS.get(e) != API)
    assert not not_api, f"mark these as API in tests/test_route_matrix.py: {not_api}"


def _expected(endpoint: str, method: str, role: str) -> set[int]:
    access = API_ACCESS[endpoint]
    if access in (PUBLIC_DOCUMENT, MINE):
        return {200}
    if role != "admin":
        return {404}
    return {200} if method == "GET" else {400}  # an empty body: refused, but reached


@pytest.mark.parametrize("role", ROLES)
def test_foreign_objects_are_out_of_reach_through_the_api(app, matrix_tenants, role):
    headers = _token_for(matrix_tenants, role)
    client = app.test_client()
    before = table_snapshot()
    failures = []
    for endpoint, method, path in _api_calls(app, matrix_tenants.foreign):
        response = _send(client, method, path, headers)
        expected = _expected(endpoint, method, role)
        if response.status_code not in expected or not response.is_json:
            failures.append(f"{method} {path}: expected {expected}, got {response.status_code}")
        if role != "admin" and FOREIGN_MARKER.lower() in response.get_data(as_text=True).lower():
            failures.append(f"{method} {path}: shows the other tenant's {FOREIGN_MARKER!r}")
    assert not failures, f"as {role}:\n" + "\n".join(failures)
    if role != "admin":  # admins may change any tenant's rows (an export is audited)
        assert not _changed(before, table_snapshot()), f"requests as {role} changed rows"


@pytest.mark.parametrize(
    ("role", "access"),
    [("convenor_of_another_collaborative", CONVENOR), ("coordinator", COORDINATOR)],
)
def test_people_reach_their_own_resources_through_the_api(app, matrix_tenants, role, access):
    headers = _token_for(matrix_tenants, role)
    client = app.test_client()
    planned = [
        (endpoint, path)
        for endpoint, method, path in _api_calls(app, matrix_tenants.home)
        if method == "GET" and API_ACCESS[endpoint] == access
    ]
    assert len(planned) >= 4
    for endpoint, path in planned:
        response = client.get(path, headers=headers, buffered=True)
        assert response.status_code == 200, (endpoint, path, response.get_json())
        assert FOREIGN_MARKER.lower() not in response.get_data(as_text=True).lower(), path


def test_a_browser_session_is_no_api_credential(app, matrix_tenants):
    client = app.test_client()
    assert sign_in(client, matrix_tenants.emails["admin"]).status_code == 302
    before = table_snapshot()
    for _endpoint, method, path in _api_calls(app, matrix_tenants.home):
        if path.endswith("/openapi.json"):
            continue
        response = _send(client, method, path, {})
        assert response.status_code == 401, (method, path)
        assert response.get_json()["error"]["code"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert table_snapshot() == before


def test_a_read_only_token_cannot_write(app, matrix_tenants):
    client = app.test_client()
    writes = [c for c in _api_calls(app, matrix_tenants.home) if c[1] != "GET"]
    assert len(writes) >= 2
    roles = ("convenor_of_another_collaborative", "coordinator")
    tokens = {role: _token_for(matrix_tenants, role, TokenScope.READ) for role in roles}
    before = table_snapshot()
    for role, headers in tokens.items():
        for _endpoint, method, path in writes:
            response = client.open(
                path, method=method, headers=headers, json={"state": "closed", "eligible_staff": 9}
            )
            assert response.status_code == 403, (role, method, path)
            assert response.get_json()["error"]["code"] == "insufficient_scope"
    assert not _changed(before, table_snapshot())
