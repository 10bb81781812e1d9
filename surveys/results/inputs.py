"""Load what result computation needs, in set-based queries (no per-row ORM loads)."""

from collections import Counter, defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by

from maturity.collaboratives.models import Collaborative
from maturity.db import db
from maturity.frameworks.models import FrameworkVersion
from surveys.responses.models import Answer, Response, ResponseScore, ResponseStatus
from surveys.results.compute import ParticipationInputs
from surveys.results.shape import FrameworkShape, shape_of
from surveys.rounds.models import CHANGE_BASELINE_STATES, Participation, Round

SUBMITTED = Response.status == ResponseStatus.SUBMITTED
# Sort and hash memory for the reads of a whole round (PostgreSQL's default, 4 MB, sends a
# national round's sorts to disk). Set for the reading transaction only.
READ_WORK_MEM = "64MB"
# Which members to load: their participation ids, or a query selecting them (a whole round
# is read with the round as the filter rather than a list of hundreds of ids).
Members = list[int] | sa.Select


@dataclass
class DimensionScores:
    """One member's respondents' scores on one dimension, with their response ids."""

    respondents: list[int] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)


ScoresByMember = dict[int, dict[str, DimensionScores]]


def _scores_query(members: Members, *columns) -> sa.Select:
    return (
        sa.select(ResponseScore.participation_id, ResponseScore.dimension_key, *columns)
        .join(Response, Response.id == ResponseScore.response_id)
        .where(
            ResponseScore.participation_id.in_(members),
            # Said of both tables, so the planner reads only these members' responses.
            Response.participation_id.in_(members),
            SUBMITTED,
        )
    )


def _scores_grouped_in_postgres(members: Members, with_respondents: bool) -> ScoresByMember:
    """One row per member and dimension, the scores as an array: a national round's million
    scores cross the wire as a few thousand rows. The response ids come too (in the same
    order) only when breakdowns need them."""
    if with_respondents:
        by_response = ResponseScore.response_id
        columns = [
            sa.func.array_agg(aggregate_order_by(ResponseScore.score, by_response)),
            sa.func.array_agg(aggregate_order_by(ResponseScore.response_id, by_response)),
        ]
    else:
        columns = [sa.func.array_agg(ResponseScore.score)]
    rows = db.session.execute(
        _scores_query(members, *columns).group_by(
            ResponseScore.participation_id, ResponseScore.dimension_key
        )
    )
    result: ScoresByMember = defaultdict(dict)
    for participation_id, key, scores, *respondents in rows:
        group = DimensionScores(list(respondents[0]) if respondents else [], list(scores))
        result[participation_id][key] = group
    return result


def _scores_row_by_row(members: Members, with_respondents: bool) -> ScoresByMember:
    rows = db.session.execute(
        _scores_query(members, ResponseScore.response_id, ResponseScore.score)
    )
    result: ScoresByMember = defaultdict(lambda: defaultdict(DimensionScores))
    for participation_id, key, response_id, score in rows:
        group = result[participation_id][key]
        if with_respondents:
            group.respondents.append(response_id)
        group.scores.append(score)
    return result


def _scores(members: Members, *, with_respondents: bool) -> ScoresByMember:
    """Each member's respondents' stored dimension scores, by dimension (with the response
    ids only if asked: breakdowns by respondent attribute need them)."""
    if isinstance(members, list) and not members:
        return {}
    if db.session.get_bind().dialect.name == "postgresql":
        return _scores_grouped_in_postgres(members, with_respondents)
    return _scores_row_by_row(members, with_respondents)


def _attributes(members: Members, shape: FrameworkShape):
    result: dict[int, dict[int, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    if not shape.attribute_keys:
        return result
    rows = db.session.execute(
        sa.select(Response.participation_id, Answer.response_id, Answer.item_id, Answer.value)
        .join(Response, Response.id == Answer.response_id)
        .where(
            Response.participation_id.in_(members),
            SUBMITTED,
            Answer.item_id.in_(list(shape.attribute_keys)),
        )
    )
    for participation_id, response_id, item_id, value in rows:
        result[participation_id][response_id][shape.attribute_keys[item_id]] = value
    return result


def _item_counts_query(members: Members, shape: FrameworkShape) -> sa.Select:
    scored_ids = [item.item_id for item in shape.scored_items]
    return (
        sa.select(Response.participation_id, Answer.item_id, Answer.value, sa.func.count())
        .join(Response, Response.id == Answer.response_id)
        .where(
            Response.participation_id.in_(members),
            SUBMITTED,
            Answer.item_id.in_(scored_ids),
        )
        .group_by(Response.participation_id, Answer.item_id, Answer.value)
    )


def _counts_by_member(rows) -> dict[int, dict[int, Counter]]:
    result: dict[int, dict[int, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for participation_id, item_id, value, count in rows:
        result[participation_id][item_id][value] = count
    return result


def _item_counts(members: Members, shape: FrameworkShape):
    return _counts_by_member(db.session.execute(_item_counts_query(members, shape)))


def _count_on_own_connection(engine: sa.Engine, query: sa.Select):
    with engine.connect() as connection:
        connection.execute(sa.select(sa.func.set_config("work_mem", READ_WORK_MEM, True)))
        return _counts_by_member(connection.execute(query))


def _item_counts_alongside(members: Members, shape: FrameworkShape) -> Future:
    """Count a whole round's answers on a second connection while this one reads the
    scores: it is the longest read, and PostgreSQL can run both at once. (A worker job's
    read, run unscoped like every result job.)"""
    query = _item_counts_query(members, shape)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="count-answers")
    counting = pool.submit(_count_on_own_connection, db.engine, query)
    pool.shutdown(wait=False)  # the count runs on; the caller waits on its result
    return counting


def _submitted_counts(members: Members) -> dict[int, int]:
    rows = db.session.execute(
        sa.select(Response.participation_id, sa.func.count())
        .where(Response.participation_id.in_(members), SUBMITTED)
        .group_by(Response.participation_id)
    )
    return dict(rows.all())


def previous_participations(
    round_: Round, organisation_ids: list[int]
) -> dict[int, tuple[int, int]]:
    """For each member, its participation in the latest earlier round of the collaborative
    that it took part in and that is closed or published (``CHANGE_BASELINE_STATES``: never
    a draft or a round still open), as
    ``organisation_id -> (participation_id, framework_version_id)``.
    """
    rows = db.session.execute(
        sa.select(Participation.organisation_id, Participation.id, Round.framework_version_id)
        .join(Round, Round.id == Participation.round_id)
        .where(
            Round.collaborative_id == round_.collaborative_id,
            Round.opens_at < round_.opens_at,
            Round.state.in_(CHANGE_BASELINE_STATES),
            Participation.organisation_id.in_(organisation_ids),
        )
        .order_by(Round.opens_at.desc(), Participation.id)
    )
    previous: dict[int, tuple[int, int]] = {}
    for organisation_id, participation_id, version_id in rows:
        previous.setdefault(organisation_id, (participation_id, version_id))
    return previous


def comparable_keys(shape: FrameworkShape, previous_shape: FrameworkShape) -> list[str]:
    """The dimensions built from the same item lineages in both versions (a dimension whose
    items changed is not compared)."""
    return [
        key
        for key in shape.dimension_keys
        if key in previous_shape.dimension_keys
        and previous_shape.lineages_of(key) == shape.lineages_of(key)
    ]


def previous_scores_of(
    round_: Round, participations: list[Participation], shape: FrameworkShape
) -> dict[int, dict[str, list[float]]]:
    """Each member's last-round respondent scores on the comparable dimensions, keyed by this
    round's participation id, in three queries whatever the number of members."""
    previous = previous_participations(round_, [p.organisation_id for p in participations])
    shapes = {
        version_id: shape_of(db.session.get(FrameworkVersion, version_id))
        for version_id in {version_id for _, version_id in previous.values()}
    }
    scores = _scores(
        [participation_id for participation_id, _ in previous.values()], with_respondents=False
    )
    result: dict[int, dict[str, list[float]]] = {}
    for participation in participations:
        if participation.organisation_id not in previous:
            result[participation.id] = {}
            continue
        previous_id, version_id = previous[participation.organisation_id]
        by_dimension = scores.get(previous_id, {})
        result[participation.id] = {
            key: by_dimension[key].scores if key in by_dimension else []
            for key in comparable_keys(shape, shapes[version_id])
        }
    return result


def _is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def give_sorts_room() -> None:
    """Let this transaction's sorts and hashes use ``READ_WORK_MEM`` (PostgreSQL only)."""
    if _is_postgres():
        db.session.execute(sa.select(sa.func.set_config("work_mem", READ_WORK_MEM, True)))


def load_round_inputs(
    round_: Round, participation_ids: list[int] | None = None
) -> list[ParticipationInputs]:
    """Inputs for every (or the given) participation of a round, in a handful of queries."""
    give_sorts_room()
    shape = shape_of(db.session.get(FrameworkVersion, round_.framework_version_id))
    k = db.session.get(Collaborative, round_.collaborative_id).min_group_size
    query = sa.select(Participation).where(Participation.round_id == round_.id)
    members: Members = sa.select(Participation.id).where(Participation.round_id == round_.id)
    if participation_ids is not None:
        query = query.where(Participation.id.in_(participation_ids))
        members = list(participation_ids)
    participations = db.session.scalars(query.order_by(Participation.id)).all()
    whole_round_on_postgres = participation_ids is None and _is_postgres()
    if whole_round_on_postgres:
        counting = _item_counts_alongside(members, shape)
    scores = _scores(members, with_respondents=bool(shape.attribute_keys))
    attributes, submitted = _attributes(members, shape), _submitted_counts(members)
    previous = previous_scores_of(round_, list(participations), shape)
    counts = counting.result() if whole_round_on_postgres else _item_counts(members, shape)
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
            scores={key: group.scores for key, group in scores.get(p.id, {}).items()},
            respondents={key: group.respondents for key, group in scores.get(p.id, {}).items()},
            attributes=dict(attributes.get(p.id, {})),
            item_counts=dict(counts.get(p.id, {})),
            previous_scores=previous[p.id],
        )
        for p in participations
    ]
