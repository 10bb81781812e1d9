"""Tenancy in one place: the scope of a request, the session-level filter, scoped lookups.

A request under ``/o/<org_slug>/…`` or ``/c/<collab_slug>/…`` loads its organisation or
collaborative, checks the person's role there, and activates a :class:`TenantScope` on the
database session. From then on every ORM query on a tenant model (one with a
``tenant_criteria`` classmethod) only sees the scope's rows. A stranger gets 404, never 403,
so the existence of another tenant's objects is not revealed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, g
from flask_login import login_required
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, with_loader_criteria
from sqlalchemy.sql import visitors
from sqlalchemy.sql.expression import Alias, Exists, Join
from sqlalchemy.sql.util import ClauseAdapter

from maturity.db import TenantAwareSession, db

ModelT = TypeVar("ModelT")
SCOPE_KEY = "tenant_scope"


@dataclass(frozen=True)
class TenantScope:
    """The organisations and collaboratives a request may see."""

    organisation_ids: frozenset[int]
    collaborative_ids: frozenset[int]


def tenant_models() -> list[type]:
    """Every mapped class that declares ``tenant_criteria``."""
    return [
        mapper.class_
        for mapper in db.Model.registry.mappers
        if hasattr(mapper.class_, "tenant_criteria")
    ]


def _criteria_for(from_clause: Any, scope: TenantScope, models: dict) -> list:
    if isinstance(from_clause, Join):
        return _criteria_for(from_clause.left, scope, models) + _criteria_for(
            from_clause.right, scope, models
        )
    if from_clause in models:
        return [models[from_clause].tenant_criteria(scope)]
    if isinstance(from_clause, Alias) and from_clause.element in models:
        criteria = models[from_clause.element].tenant_criteria(scope)
        return [ClauseAdapter(from_clause).traverse(criteria)]
    return []


def _filter_exists(statement: sa.Select, scope: TenantScope) -> sa.Select:
    """Add the tenant criteria inside EXISTS subqueries: ``with_loader_criteria`` does not
    reach the plain tables that ``has()``, ``any()`` and ``exists()`` select from
    (SQLAlchemy issue #13070)."""
    if not any(isinstance(element, Exists) for element in visitors.iterate(statement)):
        return statement
    models = {model.__table__: model for model in tenant_models()}

    def add_criteria(element: Any) -> None:  # called on copies, innermost first
        inner = getattr(getattr(element, "element", None), "element", None)
        if isinstance(element, Exists) and isinstance(inner, sa.Select):
            froms = inner.get_final_froms()
            criteria = [c for f in froms for c in _criteria_for(f, scope, models)]
            element.element = element.where(*criteria).element

    return visitors.cloned_traverse(statement, {}, {"unary": add_criteria})


@event.listens_for(TenantAwareSession, "do_orm_execute")
def _filter_by_tenant(state: ORMExecuteState) -> None:
    scope: TenantScope | None = state.session.info.get(SCOPE_KEY)
    if scope is None or not (state.is_select or state.is_update or state.is_delete):
        return
    statement = state.statement
    if isinstance(statement, sa.Select) and not state.is_relationship_load:
        statement = _filter_exists(statement, scope)
    state.statement = statement.options(
        *(
            with_loader_criteria(model, model.tenant_criteria(scope), include_aliases=True)
            for model in tenant_models()
        )
    )


def activate_scope(scope: TenantScope) -> None:
    """Limit every later ORM query in this session to ``scope``."""
    db.session.info[SCOPE_KEY] = scope
    g.tenant_scope = scope


def current_scope() -> TenantScope | None:
    """The scope active on the session, if any."""
    return db.session.info.get(SCOPE_KEY)


def stream_in_scope(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The chunks of a streamed response, produced after the view has returned: in an app
    context (and database session) of their own that carries the request's tenant scope.
    The server reads the whole body in one thread, so the context opens and closes there."""
    app, scope = current_app._get_current_object(), current_scope()

    def generate() -> Iterator[bytes]:
        with app.app_context():
            if scope is not None:
                activate_scope(scope)
            yield from chunks

    return generate()


@contextmanager
def unscoped() -> Iterator[None]:
    """Lift the tenant filter for a deliberate, reviewed cross-tenant read."""
    previous = db.session.info.pop(SCOPE_KEY, None)
    try:
        yield
    finally:
        if previous is not None:
            db.session.info[SCOPE_KEY] = previous


def get_or_404(model: type[ModelT], ident: Any, **scope_attrs: Any) -> ModelT:
    """Load ``model`` by primary key, or 404 if it is missing or outside the given scope.

    ``scope_attrs`` name attributes the object must carry, e.g.
    ``get_or_404(Membership, 3, collaborative_id=collab.id)``.
    """
    try:
        obj = db.session.get(model, ident)
    except (sa.exc.DataError, ValueError, TypeError, OverflowError):
        db.session.rollback()
        obj = None
    if obj is None or any(getattr(obj, k) != v for k, v in scope_attrs.items()):
        abort(404)
    return obj


def first_or_404(statement: sa.Select) -> Any:
    """The first row of a scoped select, or 404."""
    obj = db.session.scalars(statement.limit(1)).first()
    if obj is None:
        abort(404)
    return obj


def enter_organisation(slug: str, *roles: Any) -> Any:
    """Load the URL's organisation, check the person holds one of ``roles`` there (admins
    always may), and activate its scope; 404 for anyone else."""
    from flask_login import current_user

    from maturity.collaboratives.models import Membership
    from maturity.organisations.models import Organisation

    with unscoped():
        organisation = db.session.scalars(
            sa.select(Organisation).where(Organisation.slug == slug)
        ).first()
    if organisation is None or not (
        current_user.is_admin
        or any(current_user.has_organisation_role(role, organisation.id) for role in roles)
    ):
        abort(404)
    collaborative_ids = db.session.scalars(
        sa.select(Membership.collaborative_id).where(Membership.organisation_id == organisation.id)
    )
    activate_scope(TenantScope(frozenset({organisation.id}), frozenset(collaborative_ids)))
    g.organisation = organisation
    return organisation


def enter_collaborative(slug: str) -> Any:
    """Load the URL's collaborative, check the person convenes it (or is an admin), and
    activate its scope; 404 for anyone else."""
    from flask_login import current_user

    from maturity.collaboratives.models import Collaborative, Membership

    with unscoped():
        collaborative = db.session.scalars(
            sa.select(Collaborative).where(Collaborative.slug == slug)
        ).first()
    if collaborative is None or not (
        current_user.is_admin or current_user.is_convenor_of(collaborative.id)
    ):
        abort(404)
    member_ids = set(
        db.session.scalars(
            sa.select(Membership.organisation_id).where(
                Membership.collaborative_id == collaborative.id
            )
        )
    )
    member_ids.add(collaborative.convening_organisation_id)
    activate_scope(TenantScope(frozenset(member_ids), frozenset({collaborative.id})))
    g.collaborative = collaborative
    return collaborative


def _scope_hooks(blueprint: Blueprint, slug_arg: str, scope_name: str, enter) -> None:
    @blueprint.url_value_preprocessor
    def _pull_slug(_endpoint, values):
        g.scope_slug = values.pop(slug_arg)

    @blueprint.url_defaults
    def _add_slug(_endpoint, values):
        if scope_name in g:
            values.setdefault(slug_arg, getattr(g, scope_name).slug)

    @blueprint.before_request
    @login_required
    def _enter_scope():
        enter(g.scope_slug)


def collaborative_blueprint(name: str, import_name: str, path: str = "") -> Blueprint:
    """A blueprint under ``/c/<collab_slug><path>``: every request first enters the
    collaborative's scope (its convenors and admins only; 404 for anyone else)."""
    blueprint = Blueprint(name, import_name, url_prefix=f"/c/<collab_slug>{path}")
    _scope_hooks(blueprint, "collab_slug", "collaborative", enter_collaborative)
    return blueprint


def organisation_blueprint(name: str, import_name: str, *roles: Any, path: str = "") -> Blueprint:
    """A blueprint under ``/o/<org_slug><path>``: every request first enters the
    organisation's scope (people holding one of ``roles`` there, and admins; 404 otherwise)."""
    blueprint = Blueprint(name, import_name, url_prefix=f"/o/<org_slug>{path}")
    _scope_hooks(
        blueprint, "org_slug", "organisation", lambda slug: enter_organisation(slug, *roles)
    )
    return blueprint
