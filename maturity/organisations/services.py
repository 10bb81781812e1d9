"""Creating and changing organisations."""

import sqlalchemy as sa

from maturity.audit.services import record_event
from maturity.db import db
from maturity.organisations.models import Organisation, OrganisationKind
from maturity.slugs import unique_slug
from maturity.tenancy import unscoped


def _slug_is_taken(slug: str) -> bool:
    with unscoped():
        return db.session.scalar(sa.select(sa.func.count()).where(Organisation.slug == slug)) > 0


def create_organisation(
    name: str,
    kind: OrganisationKind,
    *,
    region: str | None = None,
    population: int | None = None,
    actor_id: int | None = None,
) -> Organisation:
    """Add an organisation with a slug made from its name, unique across the platform."""
    organisation = Organisation(
        name=name.strip(),
        slug=unique_slug(name, _slug_is_taken),
        kind=kind,
        region=(region or "").strip() or None,
        population=population,
    )
    db.session.add(organisation)
    db.session.flush()
    record_event(
        "organisation.created",
        "organisation",
        organisation.id,
        actor_id=actor_id,
        organisation_id=organisation.id,
    )
    return organisation


def organisation_by_slug(slug: str) -> Organisation | None:
    """Find any organisation by slug, across tenants (organisations are public bodies)."""
    with unscoped():
        return db.session.scalars(sa.select(Organisation).where(Organisation.slug == slug)).first()
