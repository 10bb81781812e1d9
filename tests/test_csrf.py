"""CSRF on every unsafe route, and GET routes that change nothing (QUALITY.md R5)."""

import re

import pytest
import sqlalchemy as sa

from maturity.accounts.models import RoleGrant
from maturity.api.errors import API_PREFIX
from maturity.db import db
from maturity.mail.models import OutboxEmail
from tests.conftest import table_snapshot
from tests.helpers import post_form, sign_in
from tests.surveys.journey_support import make_in_progress_response, open_round, sections

UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
PARAMETER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
LINK_TOKEN = re.compile(r"http://localhost/password/([A-Za-z0-9_-]+)")

# Routes every version of the app has; guards against a crawl that silently covers nothing.
KNOWN_UNSAFE = {
    "/sign-in",
    "/sign-out",
    "/account/password",
    "/admin/users/<int:user_id>/active",
    "/o/<org_slug>/people/invite",
    "/o/<org_slug>/people/<int:grant_id>/remove",
    "/c/<collab_slug>/members/<int:membership_id>/remove",
    "/password/<token>",
}
KNOWN_GET = {
    "/",
    "/account",
    "/admin/",
    "/admin/users",
    "/o/<org_slug>/people",
    "/c/<collab_slug>/members/<int:membership_id>",
    "/password/<token>",
}


def _values(app, world) -> dict[str, str]:
    """A real object for every URL parameter the world (plus an open round) can fill."""
    survey = open_round(world)
    response_token = make_in_progress_response(survey.participation, survey.version)
    db.session.commit()
    grant = db.session.scalars(
        sa.select(RoleGrant).where(
            RoleGrant.user_id == world.respondent.id,
            RoleGrant.organisation_id == world.organisation.id,
        )
    ).one()
    dimension = survey.version.dimensions[0]
    return {
        "org_slug": world.organisation.slug,
        "collab_slug": world.collaborative.slug,
        "membership_id": str(world.membership.id),
        "grant_id": str(grant.id),
        "user_id": str(world.respondent.id),
        "version_id": str(survey.version.id),
        "dimension_id": str(dimension.id),
        "item_id": str(dimension.items[0].id),
        "round_id": str(survey.round.id),
        "participation_id": str(survey.participation.id),
        "share_code": survey.participation.share_code,
        "key": sections(survey.version)[0].key,
        "token": _account_token(app, world),  # /password/<token>
        "/r/token": response_token,  # /r/<token>/...
    }


def _fill(rule: str, values: dict[str, str], *, fallback: bool) -> str | None:
    """The rule's path with its parameters filled, or None if one is unknown."""
    missing = []

    def value(match: re.Match) -> str:
        converter, name = match.group(1) or "default", match.group(2)
        if name == "token" and rule.startswith("/r/"):
            name = "/r/token"
        if name in values:
            return values[name]
        missing.append(name)
        return "1" if converter == "int" else "x"

    path = PARAMETER.sub(value, rule)
    return None if missing and not fallback else path


def _unsafe_rules(app) -> list[tuple[str, str]]:
    # The JSON API takes no cookies, only bearer tokens, so it needs no CSRF token: that a
    # signed-in browser's unsafe API requests are refused is tests/surveys/test_api_access.py's.
    return sorted(
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        for method in UNSAFE_METHODS
        if method in rule.methods and not rule.rule.startswith(API_PREFIX)
    )


def _get_rules(app) -> list[str]:
    return sorted(
        {
            rule.rule
            for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and rule.endpoint != "static"
        }
    )


def _account_token(app, world) -> str:
    """A live password-reset token, asked for through the page."""
    response = post_form(app.test_client(), "/password-reset", {"email": world.respondent.email})
    assert response.status_code == 200
    body = db.session.scalars(
        sa.select(OutboxEmail.body).where(OutboxEmail.recipient == world.respondent.email)
    ).one()
    return LINK_TOKEN.search(body).group(1)


@pytest.mark.parametrize("who", ["admin", "anonymous"])
def test_every_unsafe_route_refuses_a_request_without_a_csrf_token(app, world, who):
    values = _values(app, world)
    client = app.test_client()
    if who == "admin":
        assert sign_in(client, world.admin.email).status_code == 302
    rules = _unsafe_rules(app)
    assert {rule for rule, _ in rules} >= KNOWN_UNSAFE

    before = table_snapshot()
    not_refused = []
    for rule, method in rules:
        path = _fill(rule, values, fallback=True)
        response = client.open(path, method=method, data={"name": "x", "email": "x@x.org"})
        if response.status_code != 400:
            not_refused.append((method, rule, response.status_code))
    assert not not_refused, not_refused
    assert table_snapshot() == before


def test_a_csrf_token_from_another_session_is_refused(app, world):
    attacker, victim = app.test_client(), app.test_client()
    sign_in(attacker, world.coordinator.email)
    sign_in(victim, world.coordinator.email)
    html = attacker.get(f"/o/{world.organisation.slug}/people/invite").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', html).group(1)
    before = table_snapshot()
    response = victim.post(
        f"/o/{world.organisation.slug}/people/invite",
        data={
            "csrf_token": token,
            "name": "Eve",
            "email": "eve@example.org",
            "role": "coordinator",
        },
    )
    assert response.status_code == 400
    assert table_snapshot() == before


def test_crawling_every_get_route_changes_no_row(app, world):
    values = _values(app, world)
    clients = {"anonymous": app.test_client()}
    for name in ("admin", "coordinator", "convenor", "respondent"):
        clients[name] = app.test_client()
        assert sign_in(clients[name], getattr(world, name).email).status_code == 302

    rules = _get_rules(app)
    assert set(rules) >= KNOWN_GET
    paths = [path for rule in rules if (path := _fill(rule, values, fallback=False))]
    assert len(paths) >= len(KNOWN_GET)

    before = table_snapshot()  # after signing in, which writes sessions and audit events
    seen_ok = set()
    for name, client in clients.items():
        for path in paths:
            response = client.get(path)
            assert response.status_code < 500, (name, path, response.status_code)
            if response.status_code == 200:
                seen_ok.add(path)
    assert table_snapshot() == before
    # The crawl reached real pages, including the link page, which a GET must not use up.
    assert {"/account", "/admin/users", f"/password/{values['token']}"} <= seen_ok
