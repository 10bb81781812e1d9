"""Rounds: create, move through their states, and each member's participation settings."""

from datetime import datetime

import sqlalchemy as sa

from maturity.audit.services import record_event
from maturity.collaboratives.models import Collaborative, Membership
from maturity.db import db, utcnow
from maturity.errors import DomainError
from maturity.frameworks.models import Framework, FrameworkVersion
from maturity.security import new_short_token
from maturity.slugs import unique_slug
from maturity.tenancy import unscoped
from surveys.jobs import request_later_rounds_results
from surveys.rounds.models import (
    ROUND_TRANSITIONS,
    NamingConsent,
    Participation,
    Round,
    RoundState,
)


def _check_window(opens_at: datetime, closes_at: datetime) -> None:
    if closes_at <= opens_at:
        raise DomainError("The closing date must be after the opening date", field="closes_at")


def _check_version(collaborative: Collaborative, version: FrameworkVersion) -> None:
    framework = db.session.get(Framework, version.framework_id)
    if framework is None or framework.collaborative_id != collaborative.id:
        raise DomainError("Choose one of this collaborative's frameworks", field="version")
    if version.is_draft:
        raise DomainError("Publish the framework version before a round uses it", field="version")


def _slug_taken(collaborative: Collaborative):
    def is_taken(slug: str) -> bool:
        return bool(
            db.session.scalar(
                sa.select(sa.func.count()).where(
                    Round.collaborative_id == collaborative.id, Round.slug == slug
                )
            )
        )

    return is_taken


def create_round(
    collaborative: Collaborative,
    version: FrameworkVersion,
    name: str,
    *,
    opens_at: datetime,
    closes_at: datetime,
    actor_id: int | None,
) -> Round:
    """Plan a round for every member, using a published framework version."""
    _check_version(collaborative, version)
    _check_window(opens_at, closes_at)
    round_ = Round(
        collaborative_id=collaborative.id,
        framework_version_id=version.id,
        name=name.strip(),
        slug=unique_slug(name, _slug_taken(collaborative)),
        opens_at=opens_at,
        closes_at=closes_at,
    )
    db.session.add(round_)
    db.session.flush()
    add_missing_participations(round_)
    record_event(
        "round.created", "round", round_.id, actor_id=actor_id, collaborative_id=collaborative.id
    )
    return round_


def update_round(
    round_: Round, name: str, *, opens_at: datetime, closes_at: datetime, actor_id: int | None
) -> None:
    """Rename a round or move its dates (not once its results are published)."""
    if round_.state == RoundState.PUBLISHED:
        raise DomainError("A published round cannot change")
    _check_window(opens_at, closes_at)
    round_.name = name.strip()
    round_.opens_at, round_.closes_at = opens_at, closes_at
    record_event(
        "round.updated",
        "round",
        round_.id,
        actor_id=actor_id,
        collaborative_id=round_.collaborative_id,
    )


def add_missing_participations(round_: Round) -> list[Participation]:
    """Give every current member of the collaborative a participation in ``round_``."""
    with unscoped():
        member_ids = set(
            db.session.scalars(
                sa.select(Membership.organisation_id).where(
                    Membership.collaborative_id == round_.collaborative_id
                )
            )
        )
        present = set(
            db.session.scalars(
                sa.select(Participation.organisation_id).where(Participation.round_id == round_.id)
            )
        )
    added = [
        Participation(
            round_id=round_.id,
            collaborative_id=round_.collaborative_id,
            organisation_id=organisation_id,
            share_code=new_short_token(),
        )
        for organisation_id in sorted(member_ids - present)
    ]
    db.session.add_all(added)
    db.session.flush()
    return added


def change_state(round_: Round, new_state: RoundState, *, actor_id: int | None) -> None:
    """Move a round along draft → open → closed → published, refusing any other move."""
    if new_state not in ROUND_TRANSITIONS[round_.state]:
        raise DomainError(
            f"A round that is {round_.state.value} cannot become {new_state.value}",
            field="state",
        )
    previous = round_.state
    round_.state = new_state
    round_.state_changed_at = utcnow()
    if new_state == RoundState.OPEN:
        add_missing_participations(round_)
    if new_state.is_change_baseline != previous.is_change_baseline:
        request_later_rounds_results(round_)
    record_event(
        "round.state_changed",
        "round",
        round_.id,
        actor_id=actor_id,
        collaborative_id=round_.collaborative_id,
        previous=previous.value,
        state=new_state.value,
    )


def set_eligible_staff(participation: Participation, count: int | None, *, actor_id: int) -> None:
    """Record how many staff could respond, for the response rate."""
    participation.eligible_staff = count
    record_event(
        "participation.eligible_staff_set",
        "participation",
        participation.id,
        actor_id=actor_id,
        organisation_id=participation.organisation_id,
        collaborative_id=participation.collaborative_id,
        eligible_staff=count,
    )


def set_naming_consent(
    participation: Participation, consent: NamingConsent, *, actor_id: int
) -> None:
    """Record how the member agrees to be named for this round."""
    participation.naming_consent = consent
    record_event(
        "participation.naming_consent_set",
        "participation",
        participation.id,
        actor_id=actor_id,
        organisation_id=participation.organisation_id,
        collaborative_id=participation.collaborative_id,
        consent=consent.value,
    )


def round_by_reference(reference: str) -> Round | None:
    """The round named ``COLLABORATIVE/ROUND`` (for commands; across tenants)."""
    collaborative_slug, _, round_slug = reference.partition("/")
    with unscoped():
        return db.session.scalars(
            sa.select(Round)
            .join(Collaborative, Collaborative.id == Round.collaborative_id)
            .where(Collaborative.slug == collaborative_slug, Round.slug == round_slug)
        ).first()
