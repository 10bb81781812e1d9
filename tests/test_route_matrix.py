"""Route × role × foreign scope matrix (QUALITY.md R1).

Every rule in ``app.url_map`` is listed in ``ROUTE_ACCESS`` with its access class; a rule
that is not listed fails the build. Each rule is then requested with every method it
accepts, its URL parameters pointing at the *other* tenant's objects, as each kind of
person. Strangers get 404 (never 403), anonymous people are sent to sign in, no body shows
the other tenant's marker, and the other tenant's rows do not change.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from maturity.api.models import TokenScope
from maturity.api.tokens import create_token
from maturity.collaboratives.models import Collaborative
from maturity.db import db, utcnow
from maturity.frameworks.services import (
    default_framework_spec,
    import_framework,
    new_draft_from,
    publish_version,
)
from maturity.jobs.models import BackgroundTask, TaskStatus
from maturity.ratelimit import reset_counts
from maturity.storage.services import put_file
from surveys.reports.services import report_key
from surveys.rounds.models import RoundState
from surveys.rounds.services import change_state, create_round
from tests.conftest import FOREIGN_MARKER, World, table_snapshot
from tests.helpers import csrf_token, post_form, sign_in
from tests.surveys.chart_support import MATRIX_CHART_ID, MATRIX_DIGEST, store_matrix_charts

PUBLIC = "public"  # anyone, signed in or not
SIGNED_IN = "signed_in"  # any signed-in person
ORGANISATION = "organisation"  # a coordinator of the URL's organisation, or an admin
COLLABORATIVE = "collaborative"  # a convenor of the URL's collaborative, or an admin
ADMIN = "admin"  # platform admins only; anyone else gets 404
PARTICIPANT = "participant"  # a respondent of the URL's participation; admins get 404 too
TOKEN = "token"  # a page reached through a secret link (emailed, or a share code)
OWN = "own"  # a signed-in person's own objects (their API tokens); anyone else's are 404
# The JSON API: bearer tokens only, so a browser session gets 401 everywhere. Who may use
# each API route with a token is tests/surveys/test_api_access.py's matrix.
API = "api"

# Every endpoint of the app and who may use it. A new route must be added here.
ROUTE_ACCESS = {
    "static": PUBLIC,
    "accounts.sign_in": PUBLIC,
    "accounts.sign_out": PUBLIC,
    "accounts.password_reset_request": PUBLIC,
    "accounts.password_set": TOKEN,
    "accounts.account": SIGNED_IN,
    "accounts.password_change": SIGNED_IN,
    "api_tokens.api_token_new": SIGNED_IN,
    "api_tokens.api_token_revoke": OWN,
    "api.openapi_json": PUBLIC,
    "api.me_show": API,
    "api.collaborative_list": API,
    "api.collaborative_show": API,
    "api.member_list": API,
    "api.organisation_list": API,
    "api.organisation_show": API,
    "api.round_list": API,
    "api.round_show": API,
    "api.round_state_change": API,
    "api.round_participation_list": API,
    "api.round_result_list": API,
    "api.round_benchmark_list": API,
    "api.participation_list": API,
    "api.participation_show": API,
    "api.participation_update": API,
    "api.participation_results": API,
    "api.round_export": API,
    "admin.admin_home": ADMIN,
    "admin.organisation_new": ADMIN,
    "admin.collaborative_new": ADMIN,
    "admin.user_list": ADMIN,
    "admin.user_toggle_active": ADMIN,
    "admin.outbox_list": ADMIN,
    "admin.audit_list": ADMIN,
    "admin.job_list": ADMIN,
    "admin.job_retry": ADMIN,
    "admin.job_retry_all": ADMIN,
    "collaboratives.collaborative_home": COLLABORATIVE,
    "collaboratives.settings_edit": COLLABORATIVE,
    "collaboratives.member_new": COLLABORATIVE,
    "collaboratives.member_add_existing": COLLABORATIVE,
    "collaboratives.member_edit": COLLABORATIVE,
    "collaboratives.member_remove": COLLABORATIVE,
    "collaboratives.coordinator_invite": COLLABORATIVE,
    "collaboratives.convenor_invite": COLLABORATIVE,
    "health.healthz": PUBLIC,
    "health.readyz": PUBLIC,
    "home.home": SIGNED_IN,
    "home.accessibility": PUBLIC,
    "home.privacy": PUBLIC,
    "organisations.organisation_home": ORGANISATION,
    "organisations.people_list": ORGANISATION,
    "organisations.person_invite": ORGANISATION,
    "organisations.person_remove": ORGANISATION,
    "frameworks.framework_list": COLLABORATIVE,
    "frameworks.framework_import": COLLABORATIVE,
    "frameworks.version_show": COLLABORATIVE,
    "frameworks.version_export": COLLABORATIVE,
    "frameworks.version_copy": COLLABORATIVE,
    "frameworks.version_publish": COLLABORATIVE,
    "frameworks.version_settings": COLLABORATIVE,
    "frameworks.levels_edit": COLLABORATIVE,
    "frameworks.level_new": COLLABORATIVE,
    "frameworks.level_remove": COLLABORATIVE,
    "frameworks.dimension_new": COLLABORATIVE,
    "frameworks.dimension_edit": COLLABORATIVE,
    "frameworks.dimension_move": COLLABORATIVE,
    "frameworks.dimension_delete": COLLABORATIVE,
    "frameworks.item_new": COLLABORATIVE,
    "frameworks.item_edit": COLLABORATIVE,
    "frameworks.item_move": COLLABORATIVE,
    "frameworks.item_delete": COLLABORATIVE,
    "rounds.round_list": COLLABORATIVE,
    "rounds.round_new": COLLABORATIVE,
    "rounds.round_show": COLLABORATIVE,
    "rounds.round_edit": COLLABORATIVE,
    "rounds.round_state_change": COLLABORATIVE,
    "rounds.round_recompute": COLLABORATIVE,
    "rounds.task_show": COLLABORATIVE,
    "exports.round_export": COLLABORATIVE,
    "exports.round_import": COLLABORATIVE,
    "exports.export_task_show": COLLABORATIVE,
    "exports.export_file_download": COLLABORATIVE,
    "participations.participation_list": ORGANISATION,
    "participations.participation_show": ORGANISATION,
    "participations.eligible_staff_update": ORGANISATION,
    "participations.naming_consent_update": ORGANISATION,
    "participations.invitation_list": ORGANISATION,
    "participations.invitation_new": ORGANISATION,
    "participations.invitation_upload": ORGANISATION,
    "participations.reminders_send": ORGANISATION,
    "member_results.dashboard_show": ORGANISATION,
    "member_results.report_create": ORGANISATION,
    "member_results.report_show": ORGANISATION,
    "member_results.report_download": ORGANISATION,
    "collaborative_results.dashboard_show": COLLABORATIVE,
    "member_charts.chart_image": ORGANISATION,
    "member_charts.chart_data": ORGANISATION,
    "collaborative_charts.chart_image": COLLABORATIVE,
    "collaborative_charts.chart_data": COLLABORATIVE,
    "journey.link_start": TOKEN,
    "journey.response_start": TOKEN,
    "journey.account_start": PARTICIPANT,
    "journey.task_list": TOKEN,
    "journey.section_page": TOKEN,
    "journey.saved": TOKEN,
    "journey.check_answers": TOKEN,
    "journey.submit": TOKEN,
    "journey.submitted": TOKEN,
}
ACCESS_CLASSES = {
    PUBLIC,
    SIGNED_IN,
    ORGANISATION,
    COLLABORATIVE,
    ADMIN,
    PARTICIPANT,
    TOKEN,
    OWN,
    API,
}

# Requests run last, in this order: those that delete what other routes address, then the
# one that ends the session.
RUN_LAST = (
    "frameworks.item_delete",
    "frameworks.dimension_delete",
    "collaboratives.member_remove",
    "accounts.sign_out",
)
ENDS_THE_SESSION = "accounts.sign_out"

ANONYMOUS, LINK_RESPONDENT, RESPONDENT, COORDINATOR, CONVENOR, PLATFORM_ADMIN = (
    "anonymous",
    "respondent_by_link",
    "respondent",
    "coordinator",
    "convenor_of_another_collaborative",
    "admin",
)
ROLES = (ANONYMOUS, LINK_RESPONDENT, RESPONDENT, COORDINATOR, CONVENOR, PLATFORM_ADMIN)
SIGNED_OUT_ROLES = {ANONYMOUS, LINK_RESPONDENT}


@dataclass(frozen=True)
class Surveys:
    """One tenant's framework draft and open round, as URL parameter values."""

    version_id: int
    dimension_id: int
    item_id: int
    round_id: int
    participation_id: int
    share_code: str
    task_id: int
    export_task_id: int


@cache
def _framework_spec():
    return default_framework_spec()  # parsed once: YAML parsing dominates the set-up


def _surveys(collaborative: Collaborative, organisation_id: int) -> Surveys:
    published = import_framework(collaborative, _framework_spec(), actor_id=None)
    publish_version(published, actor_id=None)
    draft = new_draft_from(published, actor_id=None)
    dimension = draft.dimensions[0]
    now = utcnow()
    round_ = create_round(
        collaborative,
        published,
        "Spring",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
        actor_id=None,
    )
    change_state(round_, RoundState.OPEN, actor_id=None)
    db.session.flush()
    participation = next(p for p in round_.participations if p.organisation_id == organisation_id)
    put_file(  # a member report to download
        report_key(participation.id),
        collaborative_id=collaborative.id,
        content=b"%PDF-1.7 report",
        content_type="application/pdf",
        filename="report.pdf",
    )
    store_matrix_charts(round_, participation)  # a member's and a collaborative's chart
    task = BackgroundTask(
        kind="recompute_round", description="Recompute", collaborative_id=collaborative.id
    )
    export_task = _finished_export(collaborative, round_.id)
    db.session.add(task)
    db.session.flush()
    return Surveys(
        version_id=draft.id,
        dimension_id=dimension.id,
        item_id=next(item.id for item in draft.items if item.dimension_id == dimension.id),
        round_id=round_.id,
        participation_id=participation.id,
        share_code=participation.share_code,
        task_id=task.id,
        export_task_id=export_task.id,
    )


def _finished_export(collaborative: Collaborative, round_id: int) -> BackgroundTask:
    """A large export that a job has written, with its file, to show and download."""
    task = BackgroundTask(
        kind="export",
        description="Export",
        collaborative_id=collaborative.id,
        status=TaskStatus.FINISHED,
        result={"round_id": round_id, "what": "responses", "format": "csv"},
    )
    db.session.add(task)
    db.session.flush()
    key = f"exports/{collaborative.id}/{task.id}/responses.csv"
    put_file(
        key, collaborative_id=collaborative.id, content=b"response\r\n", content_type="text/csv"
    )
    task.result = {**task.result, "file_key": key, "filename": "responses.csv"}
    return task


@dataclass(frozen=True)
class Tenants:
    """URL parameter values for the home and the foreign tenant, and the people's ids and
    emails: plain values, so tests need no ORM object after their requests."""

    home: dict[str, object]
    foreign: dict[str, object]
    home_share_code: str
    user_ids: dict[str, int]
    emails: dict[str, str]


def _params(organisation, collaborative, membership, grant, user, surveys: Surveys) -> dict:
    return {
        "org_slug": organisation.slug,
        "collab_slug": collaborative.slug,
        "membership_id": membership.id,
        "grant_id": grant.id,
        "user_id": user.id,
        "version_id": surveys.version_id,
        "dimension_id": surveys.dimension_id,
        "item_id": surveys.item_id,
        "round_id": surveys.round_id,
        "participation_id": surveys.participation_id,
        "task_id": surveys.task_id,
        "export_task_id": surveys.export_task_id,
        "token_id": create_token(user, "Matrix token", TokenScope.READ, 30)[0].id,
        "what": "results",  # an API export
        # Secrets nobody was given: a guess must find nothing.
        "token": secrets.token_urlsafe(32),
        "share_code": secrets.token_urlsafe(16),
        "key": "leadership",
        "filename": "govuk/app.css",
        "chart_id": MATRIX_CHART_ID,
        "digest": MATRIX_DIGEST,
        "fmt": "svg",
        "group": "all",
    }


@pytest.fixture
def tenants(world: World) -> Tenants:
    """The world, with a framework draft and an open round in both collaboratives."""
    home = _surveys(world.collaborative, world.organisation.id)
    foreign = _surveys(world.foreign_collaborative, world.foreign_organisation.id)
    respondent_grant = world.respondent.grants[0]
    users = {
        RESPONDENT: world.respondent,
        COORDINATOR: world.coordinator,
        CONVENOR: world.convenor,
        PLATFORM_ADMIN: world.admin,
    }
    result = Tenants(
        home=_params(
            world.organisation,
            world.collaborative,
            world.membership,
            respondent_grant,
            world.respondent,
            home,
        ),
        foreign=_params(
            world.foreign_organisation,
            world.foreign_collaborative,
            world.foreign_membership,
            world.foreign_grant,
            world.foreign_respondent,
            foreign,
        ),
        home_share_code=home.share_code,
        user_ids={role: user.id for role, user in users.items()},
        emails={role: user.email for role, user in users.items()},
    )
    db.session.commit()
    return result


@dataclass(frozen=True)
class Call:
    endpoint: str
    access: str
    method: str
    path: str

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.endpoint}, {self.access}]"


def _access(rule: Rule) -> str:
    if rule.endpoint not in ROUTE_ACCESS:
        pytest.fail(
            f"endpoint {rule.endpoint!r} ({rule.rule}) is not in the route matrix: add it to "
            "ROUTE_ACCESS in tests/test_route_matrix.py with its access class"
        )
    return ROUTE_ACCESS[rule.endpoint]


def _path(app: Flask, rule: Rule, method: str, params: dict[str, object]) -> str:
    unknown = sorted(rule.arguments - params.keys())
    if unknown:
        pytest.fail(
            f"{rule.endpoint} ({rule.rule}) takes URL parameter(s) {unknown} that the matrix "
            "has no value for: add them to _params() in tests/test_route_matrix.py"
        )
    adapter = app.url_map.bind("localhost")
    path = adapter.build(rule.endpoint, {name: params[name] for name in rule.arguments}, method)
    built_rule, _values = adapter.match(path, method=method, return_rule=True)
    assert built_rule is rule, f"{path} does not address {rule.rule}"
    return path


def _order(call: Call) -> tuple:
    last = RUN_LAST.index(call.endpoint) + 1 if call.endpoint in RUN_LAST else 0
    return (last, call.method != "GET", call.path, call.method)


def calls(app: Flask, params: dict[str, object], access: set[str] | None = None) -> list[Call]:
    """Every rule × method (HEAD and OPTIONS aside): GETs first, then RUN_LAST last."""
    found = []
    for rule in app.url_map.iter_rules():
        rule_access = _access(rule)
        if access is not None and rule_access not in access:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append(Call(rule.endpoint, rule_access, method, _path(app, rule, method, params)))
    return sorted(found, key=_order)


def client_as(app: Flask, tenants: Tenants, role: str) -> tuple[FlaskClient, str]:
    """A fresh client acting as ``role``, and a CSRF token from its session."""
    client = app.test_client()
    if role in tenants.emails:
        response = sign_in(client, tenants.emails[role])
        assert response.status_code == 302, f"{role} could not sign in"
    elif role == LINK_RESPONDENT:
        started = post_form(client, f"/s/{tenants.home_share_code}")
        assert urlsplit(started.location).path.endswith("/tasks"), "no survey started"
    token = csrf_token(client, "/password-reset")
    return client, token


def send(client: FlaskClient, call: Call, token: str) -> TestResponse:
    """Make one request. Guessing limits start afresh, so that every secret link is judged
    on its own (the limits themselves are R4's tests)."""
    reset_counts()
    data = None if call.method == "GET" else {"csrf_token": token}
    headers = None if call.method == "GET" else {"X-CSRFToken": token}
    return client.open(call.path, method=call.method, data=data, headers=headers)


def _sent_to_sign_in(response: TestResponse) -> bool:
    return response.status_code == 302 and urlsplit(response.location).path == "/sign-in"


def _expected(call: Call, role: str) -> str:
    """What ``role`` must get from ``call`` on the other tenant's objects."""
    if call.access == TOKEN:
        return "404"  # a guessed secret matches nothing
    if call.access == API:
        return "401 json"  # a browser session is no API credential
    if call.access == PUBLIC:
        return "not an error"
    if role in SIGNED_OUT_ROLES:
        return "redirect to /sign-in"
    if call.access == SIGNED_IN:
        return "allowed"
    if call.access == OWN:
        return "404"  # the other person's token, even for an admin
    if role != PLATFORM_ADMIN or call.access == PARTICIPANT:
        return "404"
    return "200" if call.method == "GET" else "reaches the page"


def _meets(response: TestResponse, expected: str) -> bool:
    status = response.status_code
    return {
        "404": status == 404,
        "401 json": status == 401 and response.is_json,
        "200": status == 200,
        "not an error": status < 400,
        "redirect to /sign-in": _sent_to_sign_in(response),
        "allowed": status in (200, 302) and not _sent_to_sign_in(response),
        # The admin's POSTs carry no form fields: 400 for a form that needs them is fine,
        # 404 would mean the URL addresses nothing and the strangers' 404s prove nothing.
        "reaches the page": status in (200, 302, 400) and not _sent_to_sign_in(response),
    }[expected]


def _shows_marker(response: TestResponse) -> bool:
    text = response.get_data(as_text=True) + (response.location or "")
    return FOREIGN_MARKER.lower() in text.lower()


def _diff(before: dict, after: dict) -> dict[str, list]:
    return {
        table: sorted(set(after[table]) ^ set(before[table]), key=repr)
        for table in before
        if before[table] != after[table]
    }


def _only_own_sessions(changed: dict[str, list], user_id: int) -> bool:
    user_column = list(db.metadata.tables["auth_sessions"].columns.keys()).index("user_id")
    rows = changed.get("auth_sessions", [])
    return set(changed) == {"auth_sessions"} and all(row[user_column] == user_id for row in rows)


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - ROUTE_ACCESS.keys())
    assert not missing, (
        f"routes missing from the route matrix: {missing}. Add each to ROUTE_ACCESS in "
        f"tests/test_route_matrix.py with its access class ({sorted(ACCESS_CLASSES)})"
    )
    stale = sorted(ROUTE_ACCESS.keys() - endpoints)
    assert not stale, f"ROUTE_ACCESS lists endpoints the app no longer has: {stale}"
    unknown = {e: a for e, a in ROUTE_ACCESS.items() if a not in ACCESS_CLASSES}
    assert not unknown, f"unknown access classes: {unknown}"


@pytest.mark.parametrize("role", ROLES)
def test_foreign_objects_are_out_of_reach(app, tenants, role):
    client, token = client_as(app, tenants, role)
    failures: list[str] = []
    before = table_snapshot()
    after_all_others = None

    for call in calls(app, tenants.foreign):
        if call.endpoint == ENDS_THE_SESSION:
            after_all_others = table_snapshot()
        response = send(client, call, token)
        expected = _expected(call, role)
        if not _meets(response, expected):
            location = f" -> {response.location}" if response.location else ""
            failures.append(f"{call}: expected {expected}, got {response.status_code}{location}")
        if role != PLATFORM_ADMIN and _shows_marker(response):
            failures.append(f"{call}: the response shows the other tenant's {FOREIGN_MARKER!r}")
    assert not failures, f"as {role}:\n" + "\n".join(failures)
    if role == PLATFORM_ADMIN:
        return  # admins may change any tenant's rows

    changed = _diff(before, after_all_others or table_snapshot())
    assert not changed, f"requests as {role} changed rows: {changed}"
    if after_all_others is not None:
        signed_out = _diff(after_all_others, table_snapshot())
        if role in SIGNED_OUT_ROLES:
            assert not signed_out, f"signing out as {role} changed rows: {signed_out}"
        else:
            own = _only_own_sessions(signed_out, tenants.user_ids[role])
            assert own, f"signing out as {role} changed more than its own session: {signed_out}"


OWN_PAGES = [
    pytest.param(COORDINATOR, ORGANISATION, id="coordinator-own-organisation"),
    pytest.param(CONVENOR, COLLABORATIVE, id="convenor-own-collaborative"),
    pytest.param(PLATFORM_ADMIN, ADMIN, id="admin-admin-area"),
]


@pytest.mark.parametrize(("role", "access"), OWN_PAGES)
def test_people_reach_their_own_pages(app, tenants, role, access):
    client, token = client_as(app, tenants, role)
    planned = [c for c in calls(app, tenants.home, {access}) if c.method == "GET"]
    assert planned, f"no GET routes of class {access}: the positive check is vacuous"

    failures = []
    for call in planned:
        response = send(client, call, token)
        if response.status_code != 200:
            failures.append(f"{call}: expected 200, got {response.status_code}")
        elif role != PLATFORM_ADMIN and _shows_marker(response):
            failures.append(f"{call}: shows the other tenant's {FOREIGN_MARKER!r}")
    assert not failures, f"as {role}:\n" + "\n".join(failures)


def test_a_respondent_starts_their_own_survey(app, tenants):
    client, token = client_as(app, tenants, RESPONDENT)
    planned = calls(app, tenants.home, {PARTICIPANT})
    assert planned, f"no routes of class {PARTICIPANT}: the positive check is vacuous"
    for call in planned:
        response = send(client, call, token)
        assert response.status_code in (200, 302), call
        assert not _sent_to_sign_in(response), call


def test_the_admin_sees_the_other_tenant(app, tenants):
    """The marker check can fail: the other tenant's pages do carry its marker."""
    client, token = client_as(app, tenants, PLATFORM_ADMIN)
    foreign = tenants.foreign
    for path in (
        f"/o/{foreign['org_slug']}/",
        f"/c/{foreign['collab_slug']}/",
        f"/c/{foreign['collab_slug']}/members/{foreign['membership_id']}",
        "/admin/users",
    ):
        response = send(client, Call("", "", "GET", path), token)
        assert response.status_code == 200, path
        assert _shows_marker(response), path
