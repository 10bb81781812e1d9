"""Data for the chart tests: a collaborative whose rounds were generated and aggregated by
the demo's generator, and a stored chart for the route matrix."""

from dataclasses import dataclass

import sqlalchemy as sa

from maturity.db import db
from maturity.frameworks.services import install_default_framework
from maturity.organisations.models import Organisation
from maturity.results.models import ALL_RESPONDENTS, DimensionResult
from maturity.storage.services import put_file
from surveys.charts.catalogue import chart_key, group_name, group_prefix, member_prefix
from surveys.demo import seed_rounds
from surveys.rounds.models import NamingConsent, Participation, Round
from tests.factories import MembershipFactory, OrganisationFactory
from tests.surveys.dashboard_support import trim_submitted

# The route matrix asks for this chart of every member and of every collaborative.
MATRIX_CHART_ID = "benchmark-collaboration"
MATRIX_DIGEST = "0" * 20
MATRIX_SVG = b'<svg xmlns="http://www.w3.org/2000/svg"/>'
# The smallest allowed minimum group size, so that respondent groups are big enough to show.
MIN_GROUP_SIZE = 3


def store_matrix_charts(round_: Round, participation: Participation) -> None:
    """Give a member one reported result and store one member and one collaborative chart
    image, so that the chart routes address something real for the route matrix."""
    db.session.add(
        DimensionResult(
            participation_id=participation.id,
            round_id=round_.id,
            collaborative_id=round_.collaborative_id,
            organisation_id=participation.organisation_id,
            dimension_key="collaboration",
            segment=ALL_RESPONDENTS,
            n=6,
            mean=2.5,
            level=2,
            suppressed=False,
        )
    )
    prefixes = (
        member_prefix(round_.collaborative_id, round_.id, participation.organisation_id),
        group_prefix(round_.collaborative_id, round_.id, group_name(None)),
    )
    for prefix in prefixes:
        put_file(
            chart_key(prefix, MATRIX_CHART_ID, MATRIX_DIGEST, "svg"),
            collaborative_id=round_.collaborative_id,
            content=MATRIX_SVG,
            content_type="image/svg+xml",
        )


@dataclass
class ChartWorld:
    """Ids and names the chart tests look at (plain values)."""

    round_ids: list[int]  # oldest first
    latest_round_id: int
    home_id: int
    peer_id: int  # consents to be named to peers in the latest round
    quiet_id: int  # does not consent (named to the convenor only)
    fourth_id: int
    small_id: int  # below the minimum group size in the latest round
    names: dict[int, str]


def _participation(round_id: int, organisation_id: int) -> Participation:
    return db.session.scalars(
        sa.select(Participation).where(
            Participation.round_id == round_id, Participation.organisation_id == organisation_id
        )
    ).one()


def seed_chart_world(world) -> ChartWorld:
    """Three aggregated rounds for five members of the world's collaborative (minimum group
    size 3): four reported, one (``small``) with two responses in the latest round.
    Home, peer and quiet carry the tag "metropolitan"; fourth and small "coastal"."""
    world.collaborative.min_group_size = MIN_GROUP_SIZE
    install_default_framework(world.collaborative)
    extra = {
        name: OrganisationFactory(name=f"{name} Council", slug=f"{name.lower()}-council")
        for name in ("Quiet", "Fourth", "Small")
    }
    tags = {"Quiet": ["metropolitan"], "Fourth": ["coastal"], "Small": ["coastal"]}
    for name, organisation in extra.items():
        MembershipFactory(
            collaborative=world.collaborative, organisation=organisation, comparator_tags=tags[name]
        )
    for membership in world.collaborative.memberships:
        if membership.organisation_id in (world.organisation.id, world.peer.id):
            membership.comparator_tags = ["metropolitan"]
    db.session.flush()
    ids = [world.organisation.id, world.peer.id, *(o.id for o in extra.values())]
    councils = db.session.scalars(sa.select(Organisation).where(Organisation.id.in_(ids))).all()
    seed_rounds(world.collaborative, sorted(councils, key=lambda c: c.id), seed=5)
    db.session.commit()
    round_ids = list(
        db.session.scalars(
            sa.select(Round.id)
            .where(Round.collaborative_id == world.collaborative.id)
            .order_by(Round.opens_at)
        )
    )
    latest = round_ids[-1]
    for organisation_id in ids:
        participation = _participation(latest, organisation_id)
        participation.naming_consent = (
            NamingConsent.PEERS if organisation_id == world.peer.id else NamingConsent.CONVENOR_ONLY
        )
    db.session.commit()
    trim_submitted(_participation(latest, extra["Small"].id).id, MIN_GROUP_SIZE - 1)
    names = dict(
        db.session.execute(
            sa.select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
        ).all()
    )
    return ChartWorld(
        round_ids=round_ids,
        latest_round_id=latest,
        home_id=world.organisation.id,
        peer_id=world.peer.id,
        quiet_id=extra["Quiet"].id,
        fourth_id=extra["Fourth"].id,
        small_id=extra["Small"].id,
        names=names,
    )
