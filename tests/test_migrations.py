"""R18: the Alembic migrations build the models' schema on SQLite and PostgreSQL.

Every test gets its own empty database (a temp file, or a throwaway PostgreSQL database
created next to TEST_DATABASE_URL's) and its own app, and migrates it with Flask-Migrate.
"""

import logging
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from flask_migrate import check, downgrade, upgrade
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from config import database_url
from maturity.app import create_app
from maturity.db import db

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"
ALEMBIC_TABLE = "alembic_version"

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


def _postgres_server_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://", "postgresql+")):
        return database_url(url)
    if os.environ.get("CI"):
        pytest.fail("CI must run the PostgreSQL migration tests: set TEST_DATABASE_URL")
    pytest.skip("TEST_DATABASE_URL does not point at PostgreSQL")


def _throwaway_postgres_database() -> Iterator[str]:
    server_url = _postgres_server_url()
    name = f"placewise_migr_{secrets.token_hex(6)}"
    server = sa.create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with server.connect() as connection:
        # template0 never has connections, so a concurrent CREATE DATABASE cannot clash.
        connection.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE "{name}"'))
        server.dispose()


@pytest.fixture(params=BACKENDS)
def empty_database_url(request, tmp_path) -> Iterator[str]:
    """The URL of a database with nothing in it, dropped after the test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
    else:
        yield from _throwaway_postgres_database()


@pytest.fixture
def _logging_restored() -> Iterator[None]:
    """env.py runs logging.fileConfig, which disables every other logger; undo that."""
    root = logging.getLogger()
    root_state = (root.level, list(root.handlers))
    loggers = {
        name: (logger.disabled, logger.level)
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    yield
    root.setLevel(root_state[0])
    root.handlers[:] = root_state[1]
    for name, (disabled, level) in loggers.items():
        logger = logging.getLogger(name)
        logger.disabled = disabled
        logger.setLevel(level)


@pytest.fixture
def migration_app(empty_database_url, _logging_restored) -> Iterator[Flask]:
    """A separate app on the empty database, inside its own app context."""
    app = create_app("test", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        assert _table_names() == set(), "the database to migrate is not empty"
        yield app
        db.session.remove()
        db.engine.dispose()


def _run(command, **kwargs) -> None:
    """Run a Flask-Migrate command; it turns Alembic errors into SystemExit, we fail."""
    try:
        command(directory=str(MIGRATIONS_DIR), **kwargs)
    except SystemExit as exit_:
        pytest.fail(f"flask db {command.__name__} {kwargs} exited with {exit_.code}")


def _script() -> ScriptDirectory:
    config = current_app.extensions["migrate"].migrate.get_config(str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config)


def _script_head() -> str:
    heads = _script().get_heads()
    assert len(heads) == 1, f"the migrations have several heads: {heads}"
    return heads[0]


def _database_heads() -> set[str]:
    with db.engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def _table_names() -> set[str]:
    with db.engine.connect() as connection:
        return set(sa.inspect(connection).get_table_names())


def _schema_differences() -> list:
    options = {**current_app.extensions["migrate"].configure_args, "compare_type": True}
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=options)
        return compare_metadata(context, db.metadata)


def test_upgrade_on_an_empty_database_reaches_head(migration_app):
    _run(upgrade)

    assert _database_heads() == {_script_head()}
    assert _table_names() == {*db.metadata.tables, ALEMBIC_TABLE}


def test_autogenerate_finds_no_difference_from_the_models(migration_app):
    _run(upgrade)

    assert db.metadata.tables, "the models' metadata is empty"
    assert _schema_differences() == []
    _run(check)  # the same comparison through env.py, as `flask db check` runs it


def test_downgrade_of_the_newest_revision_then_upgrade_again(migration_app):
    _run(upgrade)
    head = _script_head()
    down_revision = _script().get_revision(head).down_revision
    expected_after_downgrade = set() if down_revision is None else {down_revision}

    _run(downgrade, revision=down_revision or "base")

    assert _database_heads() == expected_after_downgrade
    if down_revision is None:
        assert _table_names() - {ALEMBIC_TABLE} == set()

    _run(upgrade)

    assert _database_heads() == {head}
    assert _schema_differences() == []
