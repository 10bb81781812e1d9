"""Load what result computation needs, in set-based queries (no per-row ORM loads)."""

from collections import Counter, defaultdict

import sqlalchemy as sa

from maturity.collaboratives.models import Collaborative
from maturity.db import db
from maturity.frameworks.models import FrameworkVersion
from surveys.responses.models import Answer, Response, ResponseScore, ResponseStatus
from surveys.results.compute import ParticipationInputs
from surveys.results.shape import FrameworkShape, shape_of
from surveys.rounds.models import Participation, Round

SUBMITTED = Response.status == ResponseStatus.SUBMITTED


def _scores(participation_ids: list[int]) -> dict[int, dict[int, dict[str, float]]]:
    rows = db.session.execute(
        sa.select(
            ResponseScore.participation_id,
            ResponseScore.response_id,
            ResponseScore.dimension_key,
            ResponseScore.score,
        )
        .join(Response, Response.id == ResponseScore.response_id)
        .where(ResponseScore.participation_id.in_(participation_ids), SUBMITTED)
    )
    result: dict[int, dict[int, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    for participation_id, response_id, key, score in rows:
        result[participation_id][response_id][key] = score
    return result


def _attributes(participation_ids: list[int], shape: FrameworkShape):
    result: dict[int, dict[int, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    if not shape.attribute_keys:
        return result
    rows = db.session.execute(
        sa.select(Response.participation_id, Answer.response_id, Answer.item_id, Answer.value)
        .join(Response, Response.id == Answer.response_id)
        .where(
            Response.participation_id.in_(participation_ids),
            SUBMITTED,
            Answer.item_id.in_(list(shape.attribute_keys)),
        )
    )
    for participation_id, response_id, item_id, value in rows:
        result[participation_id][response_id][shape.attribute_keys[item_id]] = value
    return result


def _item_counts(participation_ids: list[int], shape: FrameworkShape):
    scored_ids = [item.item_id for item in shape.scored_items]
    rows = db.session.execute(
        sa.select(Response.participation_id, Answer.item_id, Answer.value, sa.func.count())
        .join(Response, Response.id == Answer.response_id)
        .where(
            Response.participation_id.in_(participation_ids),
            SUBMITTED,
            Answer.item_id.in_(scored_ids),
        )
        .group_by(Response.participation_id, Answer.item_id, Answer.value)
    )
    result: dict[int, dict[int, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for participation_id, item_id, value, count in rows:
        result[participation_id][item_id][value] = count
    return result


def _submitted_counts(participation_ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(
        sa.select(Response.participation_id, sa.func.count())
        .where(Response.participation_id.in_(participation_ids), SUBMITTED)
        .group_by(Response.participation_id)
    )
    return dict(rows.all())


def previous_participation(participation: Participation) -> Participation | None:
    """The same member's participation in the collaborative's round before this one."""
    this_round = db.session.get(Round, participation.round_id)
    return db.session.scalars(
        sa.select(Participation)
        .join(Round, Round.id == Participation.round_id)
        .where(
            Participation.organisation_id == participation.organisation_id,
            Round.collaborative_id == this_round.collaborative_id,
            Round.opens_at < this_round.opens_at,
        )
        .order_by(Round.opens_at.desc())
        .limit(1)
    ).first()


def comparable_previous_scores(
    participation: Participation, shape: FrameworkShape
) -> dict[str, list[float]]:
    """Last round's respondent scores for each dimension built from the same item lineages
    (a dimension whose items changed is not compared)."""
    previous = previous_participation(participation)
    if previous is None:
        return {}
    previous_round = db.session.get(Round, previous.round_id)
    previous_shape = shape_of(db.session.get(FrameworkVersion, previous_round.framework_version_id))
    comparable = [
        key
        for key in shape.dimension_keys
        if key in previous_shape.dimension_keys
        and previous_shape.lineages_of(key) == shape.lineages_of(key)
    ]
    scores = _scores([previous.id]).get(previous.id, {})
    return {key: [s[key] for s in scores.values() if key in s] for key in comparable}


def load_round_inputs(
    round_: Round, participation_ids: list[int] | None = None
) -> list[ParticipationInputs]:
    """Inputs for every (or the given) participation of a round, in a handful of queries."""
    shape = shape_of(db.session.get(FrameworkVersion, round_.framework_version_id))
    k = db.session.get(Collaborative, round_.collaborative_id).min_group_size
    query = sa.select(Participation).where(Participation.round_id == round_.id)
    if participation_ids is not None:
        query = query.where(Participation.id.in_(participation_ids))
    participations = db.session.scalars(query.order_by(Participation.id)).all()
    ids = [p.id for p in participations]
    scores, attributes = _scores(ids), _attributes(ids, shape)
    counts, submitted = _item_counts(ids, shape), _submitted_counts(ids)
    return [
        ParticipationInputs(
            participation_id=p.id,
            round_id=round_.id,
            collaborative_id=round_.collaborative_id,
            organisation_id=p.organisation_id,
            answers_version=p.answers_version,
            k=k,
            shape=shape,
            n_submitted=submitted.get(p.id, 0),
            scores=dict(scores.get(p.id, {})),
            attributes=dict(attributes.get(p.id, {})),
            item_counts=dict(counts.get(p.id, {})),
            previous_scores=comparable_previous_scores(p, shape),
        )
        for p in participations
    ]
