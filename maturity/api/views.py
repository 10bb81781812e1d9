"""The core API resources: the document itself, the token's person, collaboratives and
their members, organisations."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import Response, g, jsonify
from flask_login import current_user

from maturity.accounts.models import Role
from maturity.api.models import TokenScope
from maturity.api.registry import api_route, openapi_document
from maturity.api.responses import one, page
from maturity.api.scope import convened_collaborative, coordinated_organisation
from maturity.collaboratives.models import Collaborative, Membership, PeerVisibility
from maturity.organisations.models import Organisation, OrganisationKind
from maturity.tenancy import unscoped


@dataclass(frozen=True)
class OrganisationRef:
    """An organisation, by its slug and name."""

    slug: str
    name: str


@dataclass(frozen=True)
class OrganisationOut:
    """A council or a convening body."""

    slug: str
    name: str
    kind: OrganisationKind
    region: str | None
    population: int | None


@dataclass(frozen=True)
class RoleOut:
    """A role the person holds, and where (a collaborative's or organisation's slug)."""

    role: Role
    collaborative: str | None
    organisation: str | None


@dataclass(frozen=True)
class TokenOut:
    """The token this request was made with."""

    name: str
    scope: TokenScope
    expires_at: datetime


@dataclass(frozen=True)
class MeOut:
    """The person the token acts for, with their roles."""

    name: str
    email: str
    roles: list[RoleOut]
    token: TokenOut


@dataclass(frozen=True)
class CollaborativeOut:
    """A collaborative and its anonymity settings."""

    slug: str
    name: str
    peer_visibility: PeerVisibility
    min_group_size: int
    convening_organisation: OrganisationRef
    created_at: datetime


@dataclass(frozen=True)
class MemberOut:
    """An organisation's membership of a collaborative."""

    id: int
    organisation: OrganisationOut
    comparator_tags: list[str]
    joined_at: datetime


def organisation_out(organisation: Organisation) -> OrganisationOut:
    """The API's view of an organisation."""
    return OrganisationOut(
        slug=organisation.slug,
        name=organisation.name,
        kind=organisation.kind,
        region=organisation.region,
        population=organisation.population,
    )


def collaborative_out(collaborative: Collaborative) -> CollaborativeOut:
    """The API's view of a collaborative."""
    convenor = collaborative.convening_organisation
    return CollaborativeOut(
        slug=collaborative.slug,
        name=collaborative.name,
        peer_visibility=collaborative.peer_visibility,
        min_group_size=collaborative.min_group_size,
        convening_organisation=OrganisationRef(convenor.slug, convenor.name),
        created_at=collaborative.created_at,
    )


@api_route(
    "/openapi.json",
    summary="This API's OpenAPI 3.1 document",
    tag="meta",
    response=None,
    is_public=True,
    files={"application/json": {"schema": {"type": "object", "required": ["openapi", "paths"]}}},
)
def openapi_json() -> Response:
    """The OpenAPI document, generated from the routes' declarations."""
    return jsonify(openapi_document())


@api_route("/me", summary="The person this token acts for", tag="meta", response=MeOut)
def me_show() -> Response:
    """The token's person, their roles and the token's scope and expiry."""
    roles = [
        RoleOut(
            role=grant.role,
            collaborative=grant.collaborative.slug if grant.collaborative else None,
            organisation=grant.organisation.slug if grant.organisation else None,
        )
        for grant in current_user.grants
    ]
    token = g.api_token
    return one(
        MeOut(
            name=current_user.name,
            email=current_user.email,
            roles=roles,
            token=TokenOut(token.name, token.scope, token.expires_at),
        )
    )


def _granted_ids(role: Role, attribute: str) -> list[int]:
    return [getattr(grant, attribute) for grant in current_user.grants if grant.role == role]


@api_route(
    "/collaboratives",
    summary="The collaboratives you convene",
    tag="collaboratives",
    response=CollaborativeOut,
    is_list=True,
)
def collaborative_list() -> Response:
    """Every collaborative the token's person convenes (every one, for a platform admin)."""
    statement = sa.select(Collaborative)
    if not current_user.is_admin:
        ids = _granted_ids(Role.CONVENOR, "collaborative_id")
        statement = statement.where(Collaborative.id.in_(ids))
    with unscoped():
        return page(statement, Collaborative.id, lambda rows: [collaborative_out(c) for c in rows])


@api_route(
    "/collaboratives/<collab_slug>",
    summary="A collaborative you convene",
    tag="collaboratives",
    response=CollaborativeOut,
)
def collaborative_show(collab_slug: str) -> Response:
    """One collaborative, with its peer visibility and minimum group size."""
    return one(collaborative_out(convened_collaborative(collab_slug)))


@api_route(
    "/collaboratives/<collab_slug>/members",
    summary="A collaborative's members",
    tag="collaboratives",
    response=MemberOut,
    is_list=True,
)
def member_list(collab_slug: str) -> Response:
    """The member organisations of a collaborative you convene, with comparator tags."""
    collaborative = convened_collaborative(collab_slug)
    statement = sa.select(Membership).where(Membership.collaborative_id == collaborative.id)
    return page(
        statement,
        Membership.id,
        lambda rows: [
            MemberOut(m.id, organisation_out(m.organisation), list(m.comparator_tags), m.joined_at)
            for m in rows
        ],
    )


@api_route(
    "/organisations",
    summary="The organisations you coordinate",
    tag="organisations",
    response=OrganisationOut,
    is_list=True,
)
def organisation_list() -> Response:
    """Every organisation the token's person coordinates (every one, for a platform admin)."""
    statement = sa.select(Organisation)
    if not current_user.is_admin:
        ids = _granted_ids(Role.COORDINATOR, "organisation_id")
        statement = statement.where(Organisation.id.in_(ids))
    with unscoped():
        return page(statement, Organisation.id, lambda rows: [organisation_out(o) for o in rows])


@api_route(
    "/organisations/<org_slug>",
    summary="An organisation you coordinate",
    tag="organisations",
    response=OrganisationOut,
)
def organisation_show(org_slug: str) -> Response:
    """One organisation you coordinate."""
    return one(organisation_out(coordinated_organisation(org_slug)))
