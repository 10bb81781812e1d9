"""The test app, its database and the two-tenant world most tests use.

The schema is created once per run; after each test every row is deleted, so tests can
commit, use several connections and run concurrently like the real service does.
"""

import contextvars
import os
import tempfile
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from config import database_url
from maturity.accounts.models import Role, RoleGrant, User
from maturity.app import create_app
from maturity.collaboratives.models import Collaborative, Membership
from maturity.db import db
from maturity.organisations.models import Organisation
from maturity.ratelimit import reset_counts
from tests.factories import (
    CollaborativeFactory,
    MembershipFactory,
    OrganisationFactory,
    RoleGrantFactory,
    UserFactory,
)

FOREIGN_MARKER = "Zzforeignmarker"


class RequestIsolatingClient(FlaskClient):
    """A test client whose every request gets its own app context, as in production.

    ``_clean_state`` keeps an app context open for the test's own database work; Flask would
    otherwise reuse it for each request, sharing ``g`` (the CSRF token, the CSP nonce,
    flask-login's current user, the tenant scope) and the database session across requests.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


# Under pytest-xdist each worker process gets its own PostgreSQL database and Redis
# database, so parallel workers never see each other's rows, queues or rate-limit counts.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def _worker_number() -> int:
    return int(XDIST_WORKER.removeprefix("gw")) if XDIST_WORKER else -1


def _own_postgres_database(url: str) -> str:
    base = make_url(url)
    name = f"{base.database}_{XDIST_WORKER}"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _test_database_url(tmp_dir: str) -> str:
    url = database_url(os.environ.get("TEST_DATABASE_URL") or "")
    if not url:
        return f"sqlite:///{tmp_dir}/placewise-test.db"
    if XDIST_WORKER and url.startswith("postgresql"):
        return _own_postgres_database(url)
    return url


def _test_redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url or not XDIST_WORKER:
        return url
    parts = urlsplit(url)
    index = int(parts.path.strip("/") or 0) + 1 + _worker_number()
    return urlunsplit(parts._replace(path=f"/{index}"))


@pytest.fixture(scope="session")
def app():
    with tempfile.TemporaryDirectory() as tmp_dir:
        app = create_app(
            "test",
            SQLALCHEMY_DATABASE_URI=_test_database_url(tmp_dir),
            REDIS_URL=_test_redis_url(),
        )
        app.test_client_class = RequestIsolatingClient
        with app.app_context():
            db.drop_all()
            db.create_all()
        yield app
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_state(app):
    with app.app_context():
        reset_counts()
        yield
        db.session.rollback()
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


def is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


@dataclass
class World:
    """Two collaboratives, each with members and people in every role."""

    collaborative: Collaborative
    organisation: Organisation
    peer: Organisation
    membership: Membership
    admin: User
    convenor: User
    coordinator: User
    respondent: User
    foreign_collaborative: Collaborative
    foreign_organisation: Organisation
    foreign_membership: Membership
    foreign_convenor: User
    foreign_coordinator: User
    foreign_respondent: User
    foreign_grant: RoleGrant


def _grant(user: User, role: Role, **scope) -> RoleGrant:
    return RoleGrantFactory(user=user, role=role, **scope)


@pytest.fixture
def world(app) -> World:
    collaborative = CollaborativeFactory(name="Home Partnership", slug="home-partnership")
    organisation = OrganisationFactory(name="Home Council", slug="home-council")
    peer = OrganisationFactory(name="Peer Council", slug="peer-council")
    membership = MembershipFactory(collaborative=collaborative, organisation=organisation)
    MembershipFactory(collaborative=collaborative, organisation=peer)

    foreign_collaborative = CollaborativeFactory(
        name=f"{FOREIGN_MARKER} Network", slug="foreign-network"
    )
    foreign_organisation = OrganisationFactory(
        name=f"{FOREIGN_MARKER} Council", slug="foreign-council"
    )
    foreign_membership = MembershipFactory(
        collaborative=foreign_collaborative, organisation=foreign_organisation
    )

    admin = UserFactory(email="admin@example.org", name="Ada Admin")
    _grant(admin, Role.ADMIN)
    convenor = UserFactory(email="convenor@example.org", name="Cleo Convenor")
    _grant(convenor, Role.CONVENOR, collaborative=collaborative)
    coordinator = UserFactory(email="coordinator@example.org", name="Cora Coordinator")
    _grant(coordinator, Role.COORDINATOR, organisation=organisation)
    respondent = UserFactory(email="respondent@example.org", name="Rory Respondent")
    _grant(respondent, Role.RESPONDENT, organisation=organisation)

    foreign_convenor = UserFactory(
        email="foreign-convenor@example.org", name=f"{FOREIGN_MARKER} Convenor"
    )
    _grant(foreign_convenor, Role.CONVENOR, collaborative=foreign_collaborative)
    foreign_coordinator = UserFactory(
        email="foreign-coordinator@example.org", name=f"{FOREIGN_MARKER} Coordinator"
    )
    _grant(foreign_coordinator, Role.COORDINATOR, organisation=foreign_organisation)
    foreign_respondent = UserFactory(
        email="foreign-respondent@example.org", name=f"{FOREIGN_MARKER} Respondent"
    )
    foreign_grant = _grant(foreign_respondent, Role.RESPONDENT, organisation=foreign_organisation)
    db.session.commit()
    return World(
        collaborative=collaborative,
        organisation=organisation,
        peer=peer,
        membership=membership,
        admin=admin,
        convenor=convenor,
        coordinator=coordinator,
        respondent=respondent,
        foreign_collaborative=foreign_collaborative,
        foreign_organisation=foreign_organisation,
        foreign_membership=foreign_membership,
        foreign_convenor=foreign_convenor,
        foreign_coordinator=foreign_coordinator,
        foreign_respondent=foreign_respondent,
        foreign_grant=foreign_grant,
    )


def table_snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, for 'nothing changed' assertions."""
    snapshot = {}
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            rows = connection.execute(sa.select(table).order_by(*table.primary_key.columns))
            snapshot[table.name] = [tuple(row) for row in rows]
    return snapshot
