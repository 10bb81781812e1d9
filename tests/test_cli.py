"""The `flask` commands: seed-demo, users and organisations.

seed-demo hashes ~40 scrypt passwords, and every row is deleted after each test, so only
two tests seed; each checks several things about the one seed it runs.
"""

import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from maturity.accounts.models import AuthSession, Role, RoleGrant, User
from maturity.accounts.passwords import verify_password
from maturity.app import create_app
from maturity.collaboratives.models import Collaborative, Membership
from maturity.db import db
from maturity.demo import COUNCILS, DEMO_COLLABORATIVE, DEMO_PASSWORD
from maturity.organisations.models import Organisation, OrganisationKind
from tests.conftest import table_snapshot
from tests.factories import UserFactory
from tests.helpers import sign_in

SIGN_IN_LINE = re.compile(r"^\s+(?P<role>\S.*?)\s+(?P<email>[^\s@]+@[^\s@]+)$")
GOOD_PASSWORD = "kettle orbit marmalade lantern"


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args: str):
        result = runner.invoke(args=list(args))
        db.session.rollback()  # see what the command committed, not a stale snapshot
        return result

    return invoke


@pytest.fixture
def web(app) -> Iterator[Flask]:
    """A second app on the test database, for browsing.

    Requests to ``app`` would share the app context conftest keeps pushed, so flask-login's
    cached user (on ``g``) and the database session would carry over from one request, and
    one client, to the next. This app's requests each get their own, as in production.
    """
    other = create_app("test", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()
    if other.extensions["redis"] is not None:
        other.extensions["redis"].close()


def _count(model) -> int:
    with db.engine.connect() as connection:
        return connection.scalar(sa.select(sa.func.count()).select_from(model))


def _one(statement):
    with db.engine.connect() as connection:
        return connection.execute(statement).one()


def _printed_sign_ins(output: str) -> dict[str, str]:
    """{role as printed: email} from seed-demo's output."""
    return {
        match["role"]: match["email"]
        for line in output.splitlines()
        if (match := SIGN_IN_LINE.match(line))
    }


def _email_for(sign_ins: dict[str, str], role_prefix: str) -> str:
    emails = [email for role, email in sign_ins.items() if role.startswith(role_prefix)]
    assert len(emails) == 1, f"expected one {role_prefix!r} sign-in in {sign_ins}"
    return emails[0]


def test_seed_demo_creates_the_collaborative_once(cli):
    first = cli("seed-demo", "--seed", "3")

    assert first.exit_code == 0, first.output
    assert "Demo data created." in first.output
    assert f"Demo sign-ins (password for all: {DEMO_PASSWORD}):" in first.output
    collaborative_id = _one(
        sa.select(Collaborative.id).where(Collaborative.name == DEMO_COLLABORATIVE)
    ).id
    members = _count(
        sa.select(Membership.id).where(Membership.collaborative_id == collaborative_id).subquery()
    )
    assert members == len(COUNCILS) == 12
    sign_ins = _printed_sign_ins(first.output)
    assert len(sign_ins) == 4, first.output
    for role in ("Platform admin", "Convenor", "Coordinator", "Respondent"):
        email = _email_for(sign_ins, role)
        assert _count(sa.select(User.id).where(User.email == email).subquery()) == 1
    before = table_snapshot()
    assert before["users"] and before["organisations"] and before["role_grants"]

    second = cli("seed-demo", "--seed", "3")

    assert second.exit_code == 0, second.output
    assert "The demo data is already there; nothing changed." in second.output
    assert "Demo data created." not in second.output
    assert _printed_sign_ins(second.output) == sign_ins
    after = table_snapshot()
    assert {name: len(rows) for name, rows in after.items()} == {
        name: len(rows) for name, rows in before.items()
    }
    assert after == before


def test_the_printed_demo_sign_ins_work(web, cli):
    result = cli("seed-demo", "--seed", "3")
    assert result.exit_code == 0, result.output
    sign_ins = _printed_sign_ins(result.output)
    demo = _one(sa.select(Collaborative).where(Collaborative.name == DEMO_COLLABORATIVE))
    first_council = _one(sa.select(Organisation).where(Organisation.name == COUNCILS[0][1]))

    landings = {}
    for role in ("Convenor", "Coordinator", "Respondent"):
        client = web.test_client()
        response = sign_in(client, _email_for(sign_ins, role), DEMO_PASSWORD)
        assert response.status_code == 302, f"{role} could not sign in"
        landings[role] = client, client.get("/", follow_redirects=True)

    # The demo convenor convenes both demo collaboratives, so home lists them; the
    # partnership's page is one link away.
    convenor, convenor_home = landings["Convenor"]
    assert convenor_home.request.path == "/"
    collaborative_path = f"/c/{demo.slug}/"
    assert f'href="{collaborative_path}"' in convenor_home.get_data(as_text=True)
    page = convenor.get(collaborative_path)
    assert page.status_code == 200
    assert DEMO_COLLABORATIVE in page.get_data(as_text=True)

    _, coordinator_home = landings["Coordinator"]
    assert coordinator_home.request.path == f"/o/{first_council.slug}/"
    assert first_council.name in coordinator_home.get_data(as_text=True)

    _, respondent_home = landings["Respondent"]
    assert respondent_home.request.path == "/"
    assert "Your surveys" in respondent_home.get_data(as_text=True)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "Password must be 8 characters or more"),
        ("password", "Password is too common. Try a few unrelated words together"),
    ],
)
def test_create_admin_refuses_a_weak_password(cli, password, message):
    result = cli(
        "users", "create-admin", "ops@example.org", "--name", "Olu Ops", "--password", password
    )

    assert result.exit_code == 1
    assert message in result.output
    assert _count(User) == 0
    assert _count(RoleGrant) == 0


@pytest.mark.parametrize(
    "email", ["not-an-email", "ops@", "@example.org", "ops@example", "a b@example.org", ""]
)
@pytest.mark.parametrize("command", ["create-admin", "deactivate"])
def test_user_commands_refuse_a_string_that_is_not_an_email(cli, command, email):
    extra = ["--name", "Olu Ops", "--password", GOOD_PASSWORD] if command == "create-admin" else []
    result = cli("users", command, email, *extra)

    assert result.exit_code == 2
    assert "is not an email address like name@example.org" in result.output
    assert _count(User) == 0
    assert _count(RoleGrant) == 0


def test_create_admin_with_a_good_password(web, cli):
    result = cli(
        "users",
        "create-admin",
        " Ops@Example.org ",
        "--name",
        "Olu Ops",
        "--password",
        GOOD_PASSWORD,
    )

    assert result.exit_code == 0, result.output
    assert "ops@example.org is a platform admin." in result.output
    user = db.session.scalars(sa.select(User)).one()
    assert (user.email, user.name, user.is_active) == ("ops@example.org", "Olu Ops", True)
    assert verify_password(user.password_hash, GOOD_PASSWORD)
    assert [(g.role, g.organisation_id, g.collaborative_id) for g in user.grants] == [
        (Role.ADMIN, None, None)
    ]
    client = web.test_client()
    assert sign_in(client, "ops@example.org", GOOD_PASSWORD).status_code == 302
    assert client.get("/", follow_redirects=True).request.path.startswith("/admin")


def test_deactivate_ends_the_account_and_its_sessions(web, cli):
    UserFactory(email="leaver@example.org", name="Lee Leaver")
    db.session.commit()
    client = web.test_client()
    assert sign_in(client, "leaver@example.org").status_code == 302
    signed_in = client.get("/")
    assert (signed_in.status_code, signed_in.request.path) == (200, "/")

    result = cli("users", "deactivate", "leaver@example.org")

    assert result.exit_code == 0, result.output
    assert "leaver@example.org deactivated." in result.output
    user = db.session.scalars(sa.select(User).where(User.email == "leaver@example.org")).one()
    assert user.is_active is False
    sessions = db.session.scalars(sa.select(AuthSession).where(AuthSession.user_id == user.id))
    assert [s.ended_at is not None for s in sessions] == [True]
    assert client.get("/", follow_redirects=True).request.path == "/sign-in"


def test_deactivate_an_unknown_account_fails(cli):
    result = cli("users", "deactivate", "nobody@example.org")

    assert result.exit_code == 1
    assert "No account for nobody@example.org" in result.output


def test_organisations_create_and_list(cli):
    created = cli(
        "organisations",
        "create",
        "Testshire County Council",
        "--kind",
        "county",
        "--region",
        "South West",
        "--population",
        "500000",
    )
    other = cli("organisations", "create", "Avonford Council", "--kind", "unitary")

    assert created.exit_code == 0, created.output
    assert "Created Testshire County Council (testshire-county-council)." in created.output
    assert other.exit_code == 0, other.output
    organisation = db.session.scalars(
        sa.select(Organisation).where(Organisation.slug == "testshire-county-council")
    ).one()
    assert (
        organisation.name,
        organisation.kind,
        organisation.region,
        organisation.population,
    ) == ("Testshire County Council", OrganisationKind.COUNTY, "South West", 500_000)

    listed = cli("organisations", "list")

    assert listed.exit_code == 0, listed.output
    assert listed.output.splitlines() == [
        "avonford-council\tunitary\tAvonford Council",
        "testshire-county-council\tcounty\tTestshire County Council",
    ]


def test_organisations_create_refuses_an_unknown_kind(cli):
    result = cli("organisations", "create", "Nowhere Council", "--kind", "parish")

    assert result.exit_code == 2
    assert "parish" in result.output
    assert _count(Organisation) == 0
