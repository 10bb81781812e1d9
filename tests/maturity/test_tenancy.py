"""The session-level tenant filter (QUALITY.md R2).

Under a tenant scope every way the ORM can load a tenant row — ``select()``, ``session.get``
after the row was loaded unscoped, lazy, selectin and joined loads, ``has()``/``any()``
subqueries and aliases — returns only the scope's rows; ``unscoped()`` lifts the filter for
one block; and no raw SQL reaches the tenant tables without review.
"""

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_login import login_user
from sqlalchemy import event
from sqlalchemy.orm import aliased, joinedload, selectinload
from werkzeug.exceptions import NotFound

from maturity.accounts.models import Role, RoleGrant, User
from maturity.audit.models import AuditEvent
from maturity.audit.services import record_event
from maturity.collaboratives.models import Collaborative, Membership
from maturity.db import db
from maturity.frameworks.models import LevelDescriptor
from maturity.frameworks.services import install_default_framework
from maturity.organisations.models import Organisation
from maturity.tenancy import (
    SCOPE_KEY,
    TenantScope,
    activate_scope,
    current_scope,
    enter_collaborative,
    enter_organisation,
    get_or_404,
    tenant_models,
    unscoped,
)

REPO = Path(__file__).resolve().parents[2]
COVERED_MODELS = (Organisation, Collaborative, Membership, RoleGrant, AuditEvent)


@dataclass
class Rows:
    """Primary keys, read before any scope is active, of what a home scope must see and
    of the other tenant's rows it must not."""

    scope: TenantScope
    home: dict[type, set[int]]
    foreign: dict[type, set[int]]
    organisation_id: int
    collaborative_id: int
    convening_id: int
    peer_id: int
    foreign_organisation_id: int
    foreign_collaborative_id: int
    foreign_membership_id: int


def _grant_ids(*users: User) -> set[int]:
    return {grant.id for user in users for grant in user.grants}


@pytest.fixture
def rows(world) -> Iterator[Rows]:
    """The world plus audit events for both tenants; the home organisation's scope."""

    def events(*scopes: dict) -> set[int]:
        recorded = [record_event("test.event", "test", 1, actor_id=None, **s) for s in scopes]
        db.session.flush()
        return {event.id for event in recorded}

    home_events = events(
        {"organisation_id": world.organisation.id}, {"collaborative_id": world.collaborative.id}
    )
    foreign_events = events(
        {"organisation_id": world.foreign_organisation.id},
        {"collaborative_id": world.foreign_collaborative.id},
    )
    result = Rows(
        scope=TenantScope(frozenset({world.organisation.id}), frozenset({world.collaborative.id})),
        home={
            Organisation: {world.organisation.id},
            Collaborative: {world.collaborative.id},
            Membership: {world.membership.id},
            RoleGrant: _grant_ids(world.convenor, world.coordinator, world.respondent),
            AuditEvent: home_events,
        },
        foreign={
            Organisation: {world.foreign_organisation.id},
            Collaborative: {world.foreign_collaborative.id},
            Membership: {world.foreign_membership.id},
            RoleGrant: _grant_ids(
                world.foreign_convenor, world.foreign_coordinator, world.foreign_respondent
            ),
            AuditEvent: foreign_events,
        },
        organisation_id=world.organisation.id,
        collaborative_id=world.collaborative.id,
        convening_id=world.collaborative.convening_organisation_id,
        peer_id=world.peer.id,
        foreign_organisation_id=world.foreign_organisation.id,
        foreign_collaborative_id=world.foreign_collaborative.id,
        foreign_membership_id=world.foreign_membership.id,
    )
    db.session.commit()
    yield result
    db.session.info.pop(SCOPE_KEY, None)


def _ids(statement) -> set[int]:
    return {obj.id for obj in db.session.scalars(statement)}


@pytest.fixture(params=COVERED_MODELS, ids=lambda model: model.__name__)
def model(request):
    return request.param


def test_every_covered_model_is_a_tenant_model():
    missing = [m.__name__ for m in COVERED_MODELS if m not in tenant_models()]
    assert not missing, f"no tenant_criteria on {missing}: the filter no longer covers them"


def test_select_sees_only_the_scopes_rows(rows, model):
    everything = _ids(sa.select(model))
    assert rows.home[model] | rows.foreign[model] <= everything

    activate_scope(rows.scope)

    assert _ids(sa.select(model)) == rows.home[model]
    assert set(db.session.scalars(sa.select(model.id))) == rows.home[model]
    count = db.session.scalar(sa.select(sa.func.count()).select_from(model))
    assert count == len(rows.home[model])
    foreign_id = min(rows.foreign[model])
    assert db.session.scalars(sa.select(model).where(model.id == foreign_id)).all() == []


def test_get_after_a_foreign_load_finds_nothing(rows, model):
    foreign_id = min(rows.foreign[model])
    loaded = db.session.get(model, foreign_id)
    assert loaded is not None and loaded in db.session  # now in the identity map

    activate_scope(rows.scope)

    assert db.session.get(model, foreign_id) is None
    with pytest.raises(NotFound):
        get_or_404(model, foreign_id)
    home_id = min(rows.home[model])
    assert db.session.get(model, home_id).id == home_id


def test_lazy_collection_load_of_a_foreign_object_is_empty(rows):
    foreign = db.session.get(Collaborative, rows.foreign_collaborative_id)
    assert [m.id for m in foreign.memberships] == [rows.foreign_membership_id]

    activate_scope(rows.scope)
    db.session.expire(foreign)

    assert foreign.memberships == []


def test_lazy_collection_load_drops_out_of_scope_children(rows):
    home = db.session.get(Collaborative, rows.collaborative_id)
    assert len(home.memberships) == 2  # the home council's and the peer's

    activate_scope(rows.scope)
    db.session.expire(home)

    assert {m.id for m in home.memberships} == rows.home[Membership]


def test_lazy_many_to_one_does_not_answer_from_the_identity_map(rows):
    home = db.session.get(Collaborative, rows.collaborative_id)
    foreign_membership = db.session.get(Membership, rows.foreign_membership_id)
    assert home.convening_organisation.id == rows.convening_id
    assert foreign_membership.organisation.id == rows.foreign_organisation_id

    activate_scope(rows.scope)
    db.session.expire(home, ["convening_organisation"])
    db.session.expire(foreign_membership, ["organisation"])

    # Both organisations are still in the identity map, but outside the scope.
    assert home.convening_organisation is None
    assert foreign_membership.organisation is None


def test_selectinload_sees_only_the_scopes_rows(rows):
    activate_scope(rows.scope)
    db.session.expunge_all()

    collaboratives = db.session.scalars(
        sa.select(Collaborative).options(
            selectinload(Collaborative.memberships),
            selectinload(Collaborative.convening_organisation),
        )
    ).all()
    assert [c.id for c in collaboratives] == [rows.collaborative_id]
    assert {m.id for m in collaboratives[0].memberships} == rows.home[Membership]
    assert collaboratives[0].convening_organisation is None

    users = db.session.scalars(sa.select(User).options(selectinload(User.grants))).all()
    assert {g.id for user in users for g in user.grants} == rows.home[RoleGrant]


def test_joinedload_sees_only_the_scopes_rows(rows):
    activate_scope(rows.scope)
    db.session.expunge_all()

    collaboratives = (
        db.session.scalars(
            sa.select(Collaborative).options(
                joinedload(Collaborative.memberships),
                joinedload(Collaborative.convening_organisation),
            )
        )
        .unique()
        .all()
    )
    assert [c.id for c in collaboratives] == [rows.collaborative_id]
    assert {m.id for m in collaboratives[0].memberships} == rows.home[Membership]
    assert collaboratives[0].convening_organisation is None

    users = db.session.scalars(sa.select(User).options(joinedload(User.grants))).unique().all()
    assert {g.id for user in users for g in user.grants} == rows.home[RoleGrant]


def test_has_and_any_subqueries_are_filtered(world, rows):
    home_people = {world.coordinator.id, world.respondent.id}
    convenor_id = world.convenor.id
    convened = sa.select(Collaborative).where(Collaborative.convening_organisation.has())
    with_peer = sa.select(Collaborative).where(
        Collaborative.memberships.any(Membership.organisation_id == rows.peer_id)
    )
    member = aliased(Membership)
    with_peer_aliased = sa.select(Collaborative).where(
        Collaborative.memberships.of_type(member).any(member.organisation_id == rows.peer_id)
    )
    organisation_people = sa.select(User).where(
        User.grants.any(RoleGrant.organisation_id.is_not(None))
    )
    convenors_with_peer = sa.select(User).where(  # EXISTS inside EXISTS inside EXISTS
        User.grants.any(
            RoleGrant.collaborative.has(
                Collaborative.memberships.any(Membership.organisation_id == rows.peer_id)
            )
        )
    )
    assert rows.collaborative_id in _ids(convened)
    assert _ids(with_peer) == _ids(with_peer_aliased) == {rows.collaborative_id}
    assert home_people < _ids(organisation_people)
    assert _ids(convenors_with_peer) == {convenor_id}

    activate_scope(rows.scope)

    # The home collaborative is in scope, but its convenor and the peer are not.
    assert _ids(convened) == set()
    assert _ids(with_peer) == _ids(with_peer_aliased) == set()
    assert _ids(organisation_people) == home_people
    assert _ids(convenors_with_peer) == set()

    # The same statements under a scope that includes the peer and the convenor (the
    # scope's values are bound per execution, never cached with the statement).
    activate_scope(
        TenantScope(
            frozenset({rows.organisation_id, rows.peer_id, rows.convening_id}),
            frozenset({rows.collaborative_id}),
        )
    )
    assert _ids(convened) == {rows.collaborative_id}
    assert _ids(with_peer) == {rows.collaborative_id}


def test_aliases_are_filtered(rows):
    organisation = aliased(Organisation)
    collaborative = aliased(Collaborative, name="c2")
    joined = (
        sa.select(Membership.id, organisation.id, collaborative.id)
        .join(organisation, Membership.organisation)
        .join(collaborative, Membership.collaborative)
    )

    activate_scope(rows.scope)

    assert _ids(sa.select(organisation)) == rows.home[Organisation]
    assert _ids(sa.select(collaborative)) == rows.home[Collaborative]
    assert {row[1] for row in db.session.execute(joined)} == {rows.organisation_id}
    foreign = sa.select(organisation).where(organisation.id == rows.foreign_organisation_id)
    assert db.session.scalars(foreign).all() == []


def test_bulk_update_changes_only_the_scopes_rows(rows):
    activate_scope(rows.scope)
    db.session.execute(
        sa.update(Organisation).values(name="Renamed"),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()

    with unscoped():
        names = dict(db.session.execute(sa.select(Organisation.id, Organisation.name)).all())
    assert {names[i] for i in rows.home[Organisation]} == {"Renamed"}
    assert all(names[i] != "Renamed" for i in rows.foreign[Organisation])


def test_bulk_delete_removes_only_the_scopes_rows(rows):
    activate_scope(rows.scope)
    db.session.execute(sa.delete(AuditEvent), execution_options={"synchronize_session": False})
    db.session.commit()

    with unscoped():
        left = set(db.session.scalars(sa.select(AuditEvent.id)))
    assert left == rows.foreign[AuditEvent]


def test_criteria_subqueries_are_not_filtered_again(world, rows):
    """Each tenant model's criteria appear once: a subquery inside one model's criteria is
    not itself re-filtered, which nested the filter exponentially (seconds per lazy load)."""
    version = install_default_framework(world.collaborative)
    db.session.commit()
    dimension_id = version.dimensions[0].id
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    activate_scope(rows.scope)
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        descriptors = db.session.scalars(
            sa.select(LevelDescriptor).where(LevelDescriptor.dimension_id == dimension_id)
        ).all()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)

    assert len(descriptors) == len(version.levels)
    (sql,) = statements
    assert sql.count("FROM frameworks") == 1
    assert sql.count("FROM framework_versions") == 1


def test_unscoped_lifts_the_filter_and_restores_it(rows):
    activate_scope(rows.scope)

    with unscoped():
        assert current_scope() is None
        assert rows.foreign[Organisation] <= _ids(sa.select(Organisation))
    assert current_scope() == rows.scope
    assert _ids(sa.select(Organisation)) == rows.home[Organisation]

    with pytest.raises(RuntimeError), unscoped():
        raise RuntimeError("a failing cross-tenant read")
    assert current_scope() == rows.scope
    assert _ids(sa.select(Organisation)) == rows.home[Organisation]


def test_entering_an_organisation_scopes_the_session(app, world, rows):
    with app.test_request_context("/o/home-council/"):
        login_user(world.coordinator)
        enter_organisation("home-council", Role.COORDINATOR)

        assert _ids(sa.select(Organisation)) == rows.home[Organisation]
        assert _ids(sa.select(Collaborative)) == rows.home[Collaborative]
        assert _ids(sa.select(Membership)) == rows.home[Membership]
        with pytest.raises(NotFound):
            enter_organisation("foreign-council", Role.COORDINATOR)


def test_entering_a_collaborative_scopes_the_session(app, world, rows):
    with app.test_request_context("/c/home-partnership/"):
        login_user(world.convenor)
        enter_collaborative("home-partnership")

        assert _ids(sa.select(Organisation)) == {
            rows.organisation_id,
            rows.peer_id,
            rows.convening_id,
        }
        assert _ids(sa.select(Collaborative)) == rows.home[Collaborative]
        assert rows.foreign_membership_id not in _ids(sa.select(Membership))
        with pytest.raises(NotFound):
            enter_collaborative("foreign-network")


# --- Raw SQL ----------------------------------------------------------------------------

# (file, statement) pairs reviewed as not touching tenant tables. Add to this list only
# after checking the statement cannot read or write another tenant's rows.
RAW_SQL_ALLOWED = {
    ("maturity/health.py", "SELECT 1"),
    ("maturity/db.py", "PRAGMA foreign_keys=ON"),
    ("maturity/db.py", "PRAGMA journal_mode=WAL"),
    ("maturity/db.py", "PRAGMA busy_timeout=15000"),
}
SQLALCHEMY_RAW_SQL = {"text", "literal_column"}  # sqlalchemy functions taking SQL strings
STRING_EXECUTORS = {"execute", "executescript", "executemany", "exec_driver_sql"}


def _literal(node: ast.AST) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return ast.unparse(node)


def _sqlalchemy_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Local names bound to sqlalchemy modules, and to its raw-SQL functions."""
    modules, functions = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "sqlalchemy":
                    modules.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            for alias in node.names:
                if alias.name in SQLALCHEMY_RAW_SQL:
                    functions.add(alias.asname or alias.name)
                else:
                    modules.add(alias.asname or alias.name)
    return modules, functions


def _root_name(node: ast.AST) -> str:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else ""


def _raw_sql_calls(path: Path) -> list[tuple[int, str]]:
    """``(line, statement)`` of every call that hands SQL text to the database."""
    tree = ast.parse(path.read_text("utf-8"), str(path))
    modules, functions = _sqlalchemy_names(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func, first = node.func, node.args[0]
        is_string = isinstance(first, ast.JoinedStr) or (
            isinstance(first, ast.Constant) and isinstance(first.value, str)
        )
        if isinstance(func, ast.Name):
            raw = func.id in functions
        elif isinstance(func, ast.Attribute):
            raw = (func.attr in SQLALCHEMY_RAW_SQL and _root_name(func) in modules) or (
                func.attr == "exec_driver_sql" or (func.attr in STRING_EXECUTORS and is_string)
            )
        else:
            raw = False
        if raw:
            found.append((node.lineno, _literal(first)))
    return found


def _source_files() -> list[Path]:
    return sorted(p for package in ("maturity", "surveys") for p in (REPO / package).rglob("*.py"))


def test_raw_sql_is_only_the_reviewed_statements():
    found = {
        (str(path.relative_to(REPO)), line, sql)
        for path in _source_files()
        for line, sql in _raw_sql_calls(path)
    }
    unreviewed = sorted(
        f"{p}:{line}: {sql!r}" for p, line, sql in found if (p, sql) not in RAW_SQL_ALLOWED
    )
    assert not unreviewed, (
        "raw SQL bypasses the tenant filter; use the ORM, or review it and add it to "
        "RAW_SQL_ALLOWED in tests/maturity/test_tenancy.py:\n" + "\n".join(unreviewed)
    )
    stale = RAW_SQL_ALLOWED - {(p, sql) for p, _line, sql in found}
    assert not stale, f"RAW_SQL_ALLOWED lists statements no longer in the code: {sorted(stale)}"


def test_reviewed_raw_sql_names_no_tenant_table():
    tables = {model.__tablename__ for model in tenant_models()}
    touching = [
        (path, sql)
        for path, sql in RAW_SQL_ALLOWED
        for table in tables
        if re.search(rf"\b{table}\b", sql, re.IGNORECASE)
    ]
    assert not touching, f"allow-listed raw SQL on tenant tables: {touching}"


def test_the_raw_sql_scan_finds_raw_sql(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import sqlalchemy as sa\n"
        "from sqlalchemy import text as t\n"
        "from sqlalchemy import sql\n"
        "sa.text('SELECT * FROM memberships')\n"
        "t('DELETE FROM organisations')\n"
        "conn.exec_driver_sql(query)\n"
        "session.execute(f'SELECT {x}')\n"
        "sql.expression.literal_column('organisations.id')\n"
        "path.read_text('utf-8')\n"
        "self.text(data, 'name')\n"
        "text('not sqlalchemy text')\n"
        "session.execute(sa.select(x))\n"
    )
    assert [line for line, _sql in _raw_sql_calls(sample)] == [4, 5, 6, 7, 8]
