"""The coordinator's API: the organisation's part in each round, setting its eligible staff
(read-write tokens), and its results against the collaborative."""

import sqlalchemy as sa
from flask import Response, current_app
from flask_login import current_user
from sqlalchemy.orm import selectinload

from maturity.api.registry import api_route
from maturity.api.responses import bad_request, json_body, one, only_fields, page
from maturity.api.scope import coordinated_organisation
from maturity.db import db
from maturity.results.models import (
    ALL_RESPONDENTS,
    BenchmarkResult,
    DimensionResult,
    ParticipationResult,
)
from maturity.tenancy import first_or_404, unscoped
from surveys.api.rounds import participations_out
from surveys.api.schemas import (
    DimensionComparisonOut,
    EligibleStaffIn,
    MemberResultsOut,
    ParticipationDetailOut,
    ParticipationOut,
    PeerOut,
    benchmark_out,
    figures_out,
    overall_out,
    perspectives_out,
)
from surveys.charts.labels import peer_labels
from surveys.responses.counts import ResponseCounts, counts_by_participation, perspective_breakdown
from surveys.results.status import results_are_current
from surveys.rounds import services
from surveys.rounds.models import Participation

PARTICIPATIONS = "/organisations/<org_slug>/participations"
PARTICIPATION = PARTICIPATIONS + "/<int:round_id>"
MAX_ELIGIBLE_STAFF = 10_000_000


def _participation(org_slug: str, round_id: int) -> Participation:
    organisation = coordinated_organisation(org_slug)
    return first_or_404(
        sa.select(Participation).where(
            Participation.round_id == round_id, Participation.organisation_id == organisation.id
        )
    )


def _detail(participation: Participation) -> ParticipationDetailOut:
    counts = counts_by_participation([participation.id]).get(participation.id, ResponseCounts())
    k = participation.round.collaborative.min_group_size
    breakdown = perspective_breakdown(participation, counts.submitted, k)
    return ParticipationDetailOut(
        participation=participations_out([participation])[0],
        perspectives=perspectives_out(breakdown),
    )


@api_route(
    PARTICIPATIONS,
    summary="Your organisation's part in each round",
    tag="participations",
    response=ParticipationOut,
    is_list=True,
)
def participation_list(org_slug: str) -> Response:
    """Every round your organisation takes part in, with its response counts and rate."""
    organisation = coordinated_organisation(org_slug)
    statement = sa.select(Participation).where(Participation.organisation_id == organisation.id)
    return page(statement, Participation.id, participations_out)


@api_route(
    PARTICIPATION,
    summary="Your organisation's part in one round",
    tag="participations",
    response=ParticipationDetailOut,
)
def participation_show(org_slug: str, round_id: int) -> Response:
    """Response counts and rate, and responses by perspective with small groups hidden."""
    return one(_detail(_participation(org_slug, round_id)))


def _eligible_staff_from(body: dict) -> int | None:
    only_fields(body, {"eligible_staff"})
    if "eligible_staff" not in body:
        raise bad_request("Send eligible_staff: a whole number, or null to clear it.")
    value = body["eligible_staff"]
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request("eligible_staff must be a whole number, or null.")
    if not 0 <= value <= MAX_ELIGIBLE_STAFF:
        raise bad_request(f"eligible_staff must be from 0 to {MAX_ELIGIBLE_STAFF:,}.")
    return value


@api_route(
    PARTICIPATION,
    method="PATCH",
    summary="Set how many staff could respond",
    tag="participations",
    response=ParticipationDetailOut,
    body=EligibleStaffIn,
)
def participation_update(org_slug: str, round_id: int) -> Response:
    """Record your organisation's eligible staff for a round, for its response rate
    (read-write tokens)."""
    participation = _participation(org_slug, round_id)
    count = _eligible_staff_from(json_body())
    services.set_eligible_staff(participation, count, actor_id=current_user.id)
    db.session.commit()
    return one(_detail(_participation(org_slug, round_id)))


def _round_rows(participation: Participation):
    round_id = participation.round_id
    results = db.session.scalars(
        sa.select(DimensionResult).where(
            DimensionResult.round_id == round_id, DimensionResult.segment == ALL_RESPONDENTS
        )
    ).all()
    benchmarks = {
        b.dimension_key: b
        for b in db.session.scalars(
            sa.select(BenchmarkResult).where(BenchmarkResult.round_id == round_id)
        )
    }
    return results, benchmarks


def _peers(rows: list[DimensionResult], labels: dict[int, str], own_id: int) -> list[PeerOut]:
    reportable = [r for r in rows if not r.suppressed and r.mean is not None]
    peers = [
        PeerOut(labels[r.participation_id], r.participation_id == own_id, r.mean, r.level)
        for r in reportable
        if r.participation_id in labels
    ]
    return sorted(peers, key=lambda peer: (-peer.mean, peer.label))


def _comparisons(participation: Participation) -> list[DimensionComparisonOut]:
    results, benchmarks = _round_rows(participation)
    labels = _labels(participation, results)
    by_key: dict[str, list[DimensionResult]] = {}
    for row in results:
        by_key.setdefault(row.dimension_key, []).append(row)
    comparisons = []
    for key, rows in by_key.items():
        own = next((r for r in rows if r.participation_id == participation.id), None)
        if own is None:
            continue
        benchmark = benchmarks.get(key)
        comparisons.append(
            DimensionComparisonOut(
                own=figures_out(own),
                benchmark=benchmark_out(benchmark) if benchmark else None,
                peers=_peers(rows, labels, participation.id),
            )
        )
    return comparisons


def _labels(participation: Participation, results: list[DimensionResult]) -> dict[int, str]:
    """How this member sees each reported member of the round, by participation id: the
    charts' own rule and lettering, so "Member B" here is "Member B" on the pages. A
    deliberate cross-tenant read: peers' names leave it only where that rule allows."""
    reported = {row.participation_id for row in results if not row.suppressed}
    collaborative = participation.round.collaborative
    with unscoped():
        members = db.session.scalars(
            sa.select(Participation)
            .where(Participation.id.in_(reported))
            .options(selectinload(Participation.organisation))
        ).all()
        by_organisation = peer_labels(
            secret=current_app.config["SECRET_KEY"],
            visibility=collaborative.peer_visibility,
            round_id=participation.round_id,
            names={p.organisation_id: p.organisation.name for p in members},
            consents={p.organisation_id: p.naming_consent for p in members},
            viewer_organisation_id=participation.organisation_id,
        )
        return {p.id: by_organisation[p.organisation_id] for p in members}


@api_route(
    PARTICIPATION + "/results",
    summary="Your organisation's results in a round",
    tag="results",
    response=MemberResultsOut,
)
def participation_results(org_slug: str, round_id: int) -> Response:
    """Your organisation's result on each dimension beside the collaborative's benchmark
    and every reportable member's mean (peers named only where they may be)."""
    participation = _participation(org_slug, round_id)
    overall = db.session.scalars(
        sa.select(ParticipationResult).where(
            ParticipationResult.participation_id == participation.id
        )
    ).first()
    return one(
        MemberResultsOut(
            round=participations_out([participation])[0].round,
            overall=overall_out(overall),
            results_current=results_are_current(participation),
            dimensions=_comparisons(participation),
        )
    )
