"""Creating collaboratives, changing their settings and their members."""

import sqlalchemy as sa

from maturity.audit.services import record_event
from maturity.collaboratives.models import Collaborative, Membership, PeerVisibility
from maturity.db import db
from maturity.errors import DomainError
from maturity.frameworks.services import install_default_framework
from maturity.organisations.models import Organisation
from maturity.slugs import unique_slug
from maturity.tenancy import unscoped

MAX_TAGS = 10
MAX_TAG_LENGTH = 40


def parse_tags(text: str) -> list[str]:
    """Comparator tags from comma-separated text: trimmed, lower-cased, de-duplicated."""
    tags: list[str] = []
    for raw in text.split(","):
        tag = " ".join(raw.split()).lower()
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise DomainError(f"Enter {MAX_TAGS} tags or fewer", field="tags")
    if any(len(tag) > MAX_TAG_LENGTH for tag in tags):
        raise DomainError(f"Each tag must be {MAX_TAG_LENGTH} characters or fewer", field="tags")
    return tags


def _slug_is_taken(slug: str) -> bool:
    with unscoped():
        return db.session.scalar(sa.select(sa.func.count()).where(Collaborative.slug == slug)) > 0


def create_collaborative(
    name: str,
    convening_organisation: Organisation,
    *,
    peer_visibility: PeerVisibility,
    min_group_size: int,
    actor_id: int | None,
) -> Collaborative:
    """Start a collaborative run by ``convening_organisation``, with the default framework."""
    collaborative = Collaborative(
        name=name.strip(),
        slug=unique_slug(name, _slug_is_taken),
        convening_organisation=convening_organisation,
        peer_visibility=peer_visibility,
        min_group_size=min_group_size,
    )
    db.session.add(collaborative)
    db.session.flush()
    install_default_framework(collaborative)
    record_event(
        "collaborative.created",
        "collaborative",
        collaborative.id,
        actor_id=actor_id,
        collaborative_id=collaborative.id,
    )
    return collaborative


def update_settings(
    collaborative: Collaborative,
    *,
    peer_visibility: PeerVisibility,
    min_group_size: int,
    respondent_rows_export: bool | None = None,
    actor_id: int | None,
) -> None:
    """Change who sees peers' names, the smallest group any figure may describe and
    whether respondent-level rows may be exported (None leaves that as it is)."""
    changes = {}
    if collaborative.peer_visibility != peer_visibility:
        changes["peer_visibility"] = [collaborative.peer_visibility.value, peer_visibility.value]
    if collaborative.min_group_size != min_group_size:
        changes["min_group_size"] = [collaborative.min_group_size, min_group_size]
    if respondent_rows_export is not None and (
        collaborative.respondent_rows_export != respondent_rows_export
    ):
        changes["respondent_rows_export"] = [
            collaborative.respondent_rows_export,
            respondent_rows_export,
        ]
        collaborative.respondent_rows_export = respondent_rows_export
    collaborative.peer_visibility = peer_visibility
    collaborative.min_group_size = min_group_size
    if changes:
        record_event(
            "collaborative.settings_changed",
            "collaborative",
            collaborative.id,
            actor_id=actor_id,
            collaborative_id=collaborative.id,
            **changes,
        )


def add_member(
    collaborative: Collaborative,
    organisation: Organisation,
    tags: list[str],
    *,
    actor_id: int | None,
) -> Membership:
    """Make ``organisation`` a member of ``collaborative``."""
    with unscoped():
        exists = db.session.scalar(
            sa.select(sa.func.count()).where(
                Membership.collaborative_id == collaborative.id,
                Membership.organisation_id == organisation.id,
            )
        )
    if exists:
        raise DomainError(f"{organisation.name} is already a member", field="slug")
    membership = Membership(
        collaborative=collaborative, organisation=organisation, comparator_tags=tags
    )
    db.session.add(membership)
    db.session.flush()
    record_event(
        "membership.added",
        "membership",
        membership.id,
        actor_id=actor_id,
        organisation_id=organisation.id,
        collaborative_id=collaborative.id,
    )
    return membership


def set_member_tags(membership: Membership, tags: list[str], *, actor_id: int | None) -> None:
    """Replace a member's comparator tags."""
    membership.comparator_tags = tags
    record_event(
        "membership.tags_changed",
        "membership",
        membership.id,
        actor_id=actor_id,
        organisation_id=membership.organisation_id,
        collaborative_id=membership.collaborative_id,
        tags=tags,
    )


def remove_member(membership: Membership, *, actor_id: int | None) -> None:
    """Take an organisation out of the collaborative."""
    record_event(
        "membership.removed",
        "membership",
        membership.id,
        actor_id=actor_id,
        organisation_id=membership.organisation_id,
        collaborative_id=membership.collaborative_id,
    )
    db.session.delete(membership)
    db.session.flush()
