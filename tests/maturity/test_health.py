"""The liveness and readiness probes answer in JSON."""

import socket
from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from maturity.app import create_app
from maturity.db import db


def _free_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def make_app(app) -> Iterator[Callable[..., Flask]]:
    """Build extra apps on the test database with some settings changed; dispose them after."""
    built: list[Flask] = []

    def build(**overrides) -> Flask:
        settings = {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], **overrides}
        other = create_app("test", **settings)
        built.append(other)
        return other

    yield build
    for other in built:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
        if other.extensions["redis"] is not None:
            other.extensions["redis"].close()


def test_healthz_says_the_process_is_up(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.is_json
    assert response.get_json() == {"status": "ok"}


def test_readyz_reports_database_and_redis_as_configured(app, client):
    expected_redis = "ok" if app.config["REDIS_URL"] else "not configured"

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.is_json
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": expected_redis}


def test_readyz_without_redis_says_not_configured(make_app):
    response = make_app(REDIS_URL="").test_client().get("/readyz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "not configured"}


def test_readyz_with_unreachable_redis_is_unavailable(make_app):
    broken = make_app(REDIS_URL=f"redis://127.0.0.1:{_free_port()}/0")

    response = broken.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.is_json
    assert response.get_json() == {
        "status": "unavailable",
        "database": "ok",
        "redis": "unreachable",
    }


def test_readyz_with_unreachable_database_is_unavailable(make_app, tmp_path):
    missing = tmp_path / "no-such-directory" / "placewise.db"
    broken = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{missing}", REDIS_URL="")

    response = broken.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.is_json
    assert response.get_json() == {
        "status": "unavailable",
        "database": "unreachable",
        "redis": "not configured",
    }
