"""Synthetic rounds at any scale, for benchmarks and load tests (deterministic per seed).

Rows go in with set-based inserts (COPY on PostgreSQL), not the ORM, so a national-scale
round — 400 members × 250 respondents × 48 scored items — loads in minutes.
"""

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from maturity.collaboratives.models import Collaborative, Membership, PeerVisibility
from maturity.db import db, utcnow
from maturity.engine import respondent_dimension_scores
from maturity.frameworks.models import FrameworkVersion, ScoringMethod, VersionStatus
from maturity.frameworks.services import import_framework
from maturity.frameworks.spec import DimensionSpec, FrameworkSpec, ItemSpec, LevelSpec
from maturity.organisations.models import Organisation, OrganisationKind
from maturity.security import hash_token
from surveys.responses.models import Answer, Response, ResponseScore, ResponseStatus
from surveys.results.shape import shape_of
from surveys.rounds.models import Participation, Round, RoundState

LEVELS = 4
ITEMS_PER_DIMENSION = 6
INSERT_BATCH = 20_000


@dataclass(frozen=True)
class Scale:
    """How big a synthetic collaborative is."""

    members: int
    respondents: int
    items: int
    rounds: int = 1
    seed: int = 1


def synthetic_spec(items: int) -> FrameworkSpec:
    """A framework of ``items`` scored items, six to a dimension (the first a level item)."""
    dimensions = []
    for d in range((items + ITEMS_PER_DIMENSION - 1) // ITEMS_PER_DIMENSION):
        count = min(ITEMS_PER_DIMENSION, items - d * ITEMS_PER_DIMENSION)
        dimensions.append(
            DimensionSpec(
                key=f"d{d + 1}",
                name=f"Dimension {d + 1}",
                descriptors={n: f"Level {n} practice in dimension {d + 1}" for n in range(1, 5)},
                items=[
                    ItemSpec(
                        key=f"d{d + 1}_i{i + 1}",
                        lineage=f"d{d + 1}_i{i + 1}",
                        type="level" if i == 0 else "likert",
                        text=f"Question {i + 1} about dimension {d + 1}",
                        reverse=i == count - 1 and i > 0,
                    )
                    for i in range(count)
                ],
            )
        )
    return FrameworkSpec(
        key="synthetic",
        name="Synthetic framework",
        levels=[LevelSpec(n, f"Level {n}") for n in range(1, LEVELS + 1)],
        dimensions=dimensions,
    )


def _copy_or_insert(table: sa.Table, rows: list[dict]) -> None:
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        columns = list(rows[0])
        cursor = connection.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
        return
    for start in range(0, len(rows), INSERT_BATCH):
        connection.execute(sa.insert(table), rows[start : start + INSERT_BATCH])


def advance_id_sequence(table: sa.Table) -> None:
    """Move a PostgreSQL id sequence past rows loaded with explicit ids (COPY does not), so
    the next ORM insert gets a fresh id. SQLite needs nothing: it takes max(id) + 1."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        return
    next_id = sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0) + 1).scalar_subquery()
    sequence = sa.func.pg_get_serial_sequence(table.name, "id")
    connection.execute(sa.select(sa.func.setval(sequence, next_id, False)))


def _members(collaborative: Collaborative, count: int) -> list[Organisation]:
    organisations = [
        Organisation(
            name=f"Synthetic council {n:04d}",
            slug=f"{collaborative.slug}-c{n:04d}",
            kind=OrganisationKind.UNITARY,
            region="Synthetic",
        )
        for n in range(count)
    ]
    db.session.add_all(organisations)
    db.session.flush()
    db.session.add_all(
        Membership(collaborative_id=collaborative.id, organisation_id=o.id) for o in organisations
    )
    return organisations


def _next_id(model) -> int:
    return (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1


def _answers_of(shape, maturity: float, rng: random.Random) -> dict[int, str]:
    given = {}
    for item in shape.scored_items:
        seen = maturity + rng.gauss(0, 0.6)
        if item.kind == "level":
            given[item.item_id] = str(min(LEVELS, max(1, round(seen))))
        else:
            agreement = min(5, max(1, round(1 + (seen - 1) * 4 / (LEVELS - 1))))
            given[item.item_id] = str(6 - agreement if item.is_reversed else agreement)
    return given


def _fill_participation(
    participation: Participation, shape, scale: Scale, first_id: int, when, rng: random.Random
) -> None:
    responses, answers, scores = [], [], []
    maturity = rng.uniform(1.3, 3.5)
    for response_id in range(first_id, first_id + scale.respondents):
        given = _answers_of(shape, maturity, rng)
        responses.append(
            {
                "id": response_id,
                "participation_id": participation.id,
                "organisation_id": participation.organisation_id,
                "resume_token_hash": hash_token(f"synthetic-{participation.id}-{response_id}"),
                "public_id": "r" + hash_token(f"synthetic-response-{response_id}")[:20],
                "status": ResponseStatus.SUBMITTED.value,
                "started_at": when,
                "updated_at": when,
                "submitted_at": when,
            }
        )
        answers.extend(
            {"response_id": response_id, "item_id": i, "value": v} for i, v in given.items()
        )
        scores.extend(
            {
                "response_id": response_id,
                "participation_id": participation.id,
                "dimension_key": key,
                "score": score,
            }
            for key, score in respondent_dimension_scores(
                shape.scored_items, given, shape.levels
            ).items()
        )
    _copy_or_insert(Response.__table__, responses)
    _copy_or_insert(Answer.__table__, answers)
    _copy_or_insert(ResponseScore.__table__, scores)
    participation.answers_version = scale.respondents


def _fill_round(round_: Round, version: FrameworkVersion, scale: Scale, rng: random.Random):
    """Load every member's submitted responses, one member at a time (memory stays flat)."""
    shape = shape_of(version)
    participations = db.session.scalars(
        sa.select(Participation)
        .where(Participation.round_id == round_.id)
        .order_by(Participation.id)
    ).all()
    first_id = _next_id(Response)
    when = round_.opens_at + timedelta(days=1)
    for participation in participations:
        _fill_participation(participation, shape, scale, first_id, when, rng)
        first_id += scale.respondents
    advance_id_sequence(Response.__table__)


def create_synthetic_collaborative(
    scale: Scale, name: str = "Synthetic national network"
) -> Collaborative:
    """A collaborative with ``scale.members`` members and ``scale.rounds`` closed rounds of
    submitted responses (results not computed: that is what benchmarks measure)."""
    from surveys.rounds.services import add_missing_participations

    rng = random.Random(scale.seed)
    convenor = Organisation(
        name=f"{name} convenor",
        slug=f"synthetic-{scale.seed}-convenor",
        kind=OrganisationKind.CONVENING_BODY,
    )
    db.session.add(convenor)
    db.session.flush()
    collaborative = Collaborative(
        name=name,
        slug=f"synthetic-{scale.seed}",
        convening_organisation=convenor,
        peer_visibility=PeerVisibility.ANONYMISED,
        min_group_size=5,
    )
    db.session.add(collaborative)
    db.session.flush()
    version = import_framework(collaborative, synthetic_spec(scale.items), actor_id=None)
    version.status, version.published_at = VersionStatus.PUBLISHED, utcnow()
    version.scoring_method = ScoringMethod.MEAN
    _members(collaborative, scale.members)
    start = datetime(2024, 1, 8, 9, tzinfo=UTC)
    for number in range(scale.rounds):
        opens = start + timedelta(days=182 * number)
        round_ = Round(
            collaborative_id=collaborative.id,
            framework_version_id=version.id,
            name=f"Round {number + 1}",
            slug=f"round-{number + 1}",
            state=RoundState.CLOSED,
            opens_at=opens,
            closes_at=opens + timedelta(days=42),
        )
        db.session.add(round_)
        db.session.flush()
        add_missing_participations(round_)
        _fill_round(round_, version, scale, rng)
    db.session.flush()
    return collaborative
