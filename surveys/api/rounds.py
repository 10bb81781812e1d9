"""The convenor's API: a collaborative's rounds, each member's participation, results and
benchmarks, and moving a round through its states (read-write tokens)."""

import sqlalchemy as sa
from flask import Response, abort
from flask_login import current_user

from maturity.api.errors import ApiError
from maturity.api.registry import api_route
from maturity.api.responses import bad_request, json_body, one, only_fields, page
from maturity.api.scope import convened_collaborative
from maturity.db import db
from maturity.errors import DomainError
from maturity.results.models import (
    ALL_RESPONDENTS,
    BenchmarkResult,
    DimensionResult,
    ParticipationResult,
)
from maturity.tenancy import get_or_404
from surveys.api.schemas import (
    BenchmarkOut,
    CountsOut,
    MemberResultOut,
    OrganisationRef,
    ParticipationOut,
    RoundOut,
    RoundStateIn,
    benchmark_out,
    figures_out,
    overall_out,
    round_out,
    round_ref,
)
from surveys.responses.counts import ResponseCounts, counts_by_participation, counts_by_round
from surveys.results.status import results_are_current
from surveys.rounds import services
from surveys.rounds.models import Participation, Round, RoundState

ROUNDS = "/collaboratives/<collab_slug>/rounds"
ROUND = ROUNDS + "/<int:round_id>"


def _round(collab_slug: str, round_id: int) -> Round:
    collaborative = convened_collaborative(collab_slug)
    return get_or_404(Round, round_id, collaborative_id=collaborative.id)


def _rounds_out(rounds) -> list[RoundOut]:
    counts = counts_by_round(r.id for r in rounds)
    return [round_out(r, counts.get(r.id, ResponseCounts())) for r in rounds]


def participations_out(participations) -> list[ParticipationOut]:
    """Participations with their counts, rates and headline results, in a few queries."""
    ids = [p.id for p in participations]
    counts = counts_by_participation(ids)
    results = {
        r.participation_id: r
        for r in db.session.scalars(
            sa.select(ParticipationResult).where(ParticipationResult.participation_id.in_(ids))
        )
    }
    rows = []
    for p in participations:
        mine = counts.get(p.id, ResponseCounts())
        rows.append(
            ParticipationOut(
                round=round_ref(p.round),
                organisation=OrganisationRef(p.organisation.slug, p.organisation.name),
                eligible_staff=p.eligible_staff,
                response_rate=mine.rate(p.eligible_staff),
                naming_consent=p.naming_consent,
                responses=CountsOut(mine.submitted, mine.in_progress),
                results_current=results_are_current(p),
                overall=overall_out(results.get(p.id)),
            )
        )
    return rows


@api_route(
    ROUNDS, summary="A collaborative's rounds", tag="rounds", response=RoundOut, is_list=True
)
def round_list(collab_slug: str) -> Response:
    """Every round of a collaborative you convene, with its state and response totals."""
    collaborative = convened_collaborative(collab_slug)
    statement = sa.select(Round).where(Round.collaborative_id == collaborative.id)
    return page(statement, Round.id, _rounds_out)


@api_route(ROUND, summary="A round", tag="rounds", response=RoundOut)
def round_show(collab_slug: str, round_id: int) -> Response:
    """One round, with its state, dates and response totals."""
    return one(_rounds_out([_round(collab_slug, round_id)])[0])


def _locked_round(collab_slug: str, round_id: int) -> Round:
    collaborative = convened_collaborative(collab_slug)
    round_ = db.session.scalars(
        sa.select(Round)
        .where(Round.id == round_id, Round.collaborative_id == collaborative.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if round_ is None:
        abort(404)
    return round_


def _state_from(body: dict) -> RoundState:
    only_fields(body, {"state"})
    value = body.get("state")
    try:
        return RoundState(value) if isinstance(value, str) else RoundState("")
    except ValueError:
        choices = ", ".join(state.value for state in RoundState)
        raise bad_request(f"state must be one of: {choices}") from None


@api_route(
    ROUND + "/state",
    method="POST",
    summary="Open, close, reopen or publish a round",
    tag="rounds",
    response=RoundOut,
    body=RoundStateIn,
    errors=(409,),
)
def round_state_change(collab_slug: str, round_id: int) -> Response:
    """Move a round to another state, as its current state allows (read-write tokens)."""
    round_ = _locked_round(collab_slug, round_id)
    new_state = _state_from(json_body())
    try:
        services.change_state(round_, new_state, actor_id=current_user.id)
    except DomainError as error:
        db.session.rollback()
        raise ApiError(409, "invalid_transition", error.message) from None
    db.session.commit()
    return one(_rounds_out([_round(collab_slug, round_id)])[0])


@api_route(
    ROUND + "/participations",
    summary="Each member's participation in a round",
    tag="rounds",
    response=ParticipationOut,
    is_list=True,
)
def round_participation_list(collab_slug: str, round_id: int) -> Response:
    """Every member's response counts, response rate and headline result in a round."""
    round_ = _round(collab_slug, round_id)
    statement = sa.select(Participation).where(Participation.round_id == round_.id)
    return page(statement, Participation.id, participations_out)


@api_route(
    ROUND + "/results",
    summary="Every member's results in a round",
    tag="results",
    response=MemberResultOut,
    is_list=True,
)
def round_result_list(collab_slug: str, round_id: int) -> Response:
    """Each member's result on each dimension (all respondents). A result about fewer
    respondents than the collaborative's minimum group size has no figures."""
    round_ = _round(collab_slug, round_id)
    statement = sa.select(DimensionResult).where(
        DimensionResult.round_id == round_.id, DimensionResult.segment == ALL_RESPONDENTS
    )
    return page(statement, DimensionResult.id, _member_results)


def _member_results(rows) -> list[MemberResultOut]:
    participations = _participations({row.participation_id for row in rows})
    organisations = {p.id: p.organisation for p in participations}
    return [
        MemberResultOut(
            id=row.id,
            organisation=OrganisationRef(
                organisations[row.participation_id].slug,
                organisations[row.participation_id].name,
            ),
            figures=figures_out(row),
        )
        for row in rows
    ]


def _participations(ids) -> list[Participation]:
    return list(db.session.scalars(sa.select(Participation).where(Participation.id.in_(ids))))


@api_route(
    ROUND + "/benchmarks",
    summary="A round's benchmarks across members",
    tag="results",
    response=BenchmarkOut,
    is_list=True,
)
def round_benchmark_list(collab_slug: str, round_id: int) -> Response:
    """The spread of members' means on each dimension and overall: median, quartiles,
    minimum and maximum, each reportable member counted once."""
    round_ = _round(collab_slug, round_id)
    statement = sa.select(BenchmarkResult).where(BenchmarkResult.round_id == round_.id)
    return page(statement, BenchmarkResult.id, lambda rows: [benchmark_out(r) for r in rows])
