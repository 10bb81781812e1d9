"""A collaborative with three rounds of generated results (the demo's generator): the home
council, a peer, and a small council that falls below the minimum group size in the latest
round."""

from dataclasses import dataclass

import sqlalchemy as sa

from maturity.db import db
from maturity.frameworks.services import install_default_framework
from maturity.organisations.models import Organisation
from surveys.demo import seed_rounds
from surveys.jobs import recompute_round
from surveys.responses.models import Answer, Response, ResponseScore, ResponseStatus
from surveys.rounds.models import Participation, Round
from tests.factories import MembershipFactory, OrganisationFactory

SMALL_RESPONSES = 3  # below the default minimum group size of 5


@dataclass
class Seeded:
    """Ids of what the tests look at (plain values: no ORM object outlives a request)."""

    round_ids: list[int]  # oldest first
    latest_round_id: int
    small_organisation_id: int
    home_participation_id: int
    small_participation_id: int


def _participation_id(round_id: int, organisation_id: int) -> int:
    return db.session.scalar(
        sa.select(Participation.id).where(
            Participation.round_id == round_id, Participation.organisation_id == organisation_id
        )
    )


def trim_submitted(participation_id: int, keep: int) -> None:
    """Leave only ``keep`` submitted responses for a participation, and recompute its round."""
    ids = db.session.scalars(
        sa.select(Response.id)
        .where(
            Response.participation_id == participation_id,
            Response.status == ResponseStatus.SUBMITTED,
        )
        .order_by(Response.id)
    ).all()
    doomed = ids[keep:]
    for model, column in ((ResponseScore, "response_id"), (Answer, "response_id")):
        db.session.execute(sa.delete(model).where(getattr(model, column).in_(doomed)))
    db.session.execute(sa.delete(Response).where(Response.id.in_(doomed)))
    participation = db.session.get(Participation, participation_id)
    participation.answers_version += 1
    db.session.commit()
    recompute_round(participation.round_id)


def seed_results(world) -> Seeded:
    """Three rounds for three members; tags: home "metropolitan", peer and small "coastal"."""
    install_default_framework(world.collaborative)
    small = OrganisationFactory(name="Small Council", slug="small-council")
    MembershipFactory(
        collaborative=world.collaborative, organisation=small, comparator_tags=["coastal"]
    )
    world.membership.comparator_tags = ["metropolitan"]
    db.session.flush()
    peer_membership = next(
        m for m in world.collaborative.memberships if m.organisation_id == world.peer.id
    )
    peer_membership.comparator_tags = ["coastal"]
    councils = db.session.scalars(
        sa.select(Organisation).where(
            Organisation.id.in_([world.organisation.id, world.peer.id, small.id])
        )
    ).all()
    seed_rounds(world.collaborative, sorted(councils, key=lambda c: c.id), seed=11)
    db.session.commit()
    round_ids = db.session.scalars(
        sa.select(Round.id)
        .where(Round.collaborative_id == world.collaborative.id)
        .order_by(Round.opens_at)
    ).all()
    latest = round_ids[-1]
    small_participation = _participation_id(latest, small.id)
    trim_submitted(small_participation, SMALL_RESPONSES)
    return Seeded(
        round_ids=list(round_ids),
        latest_round_id=latest,
        small_organisation_id=small.id,
        home_participation_id=_participation_id(latest, world.organisation.id),
        small_participation_id=small_participation,
    )
