"""What a convenor's dashboard shows about a collaborative's round: participation across the
members, and the spread of the members' results on each dimension, for every member or a
comparator group (members sharing a membership tag).

Only members with at least the minimum group size of respondents count in any figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from maturity.collaboratives.models import Collaborative, Membership
from maturity.db import db
from maturity.engine import benchmark
from maturity.organisations.models import Organisation
from maturity.results.models import ParticipationResult
from surveys.dashboards.figures import member_dimension_results, reported_rounds
from surveys.responses.counts import ResponseCounts, counts_by_participation
from surveys.rounds.models import Participation, Round, RoundState


@dataclass(frozen=True)
class ParticipationRow:
    """How many of one member's staff have responded (never who)."""

    member: str
    counts: ResponseCounts
    eligible_staff: int | None
    is_updating: bool

    @property
    def rate(self) -> float | None:
        return self.counts.rate(self.eligible_staff)


@dataclass(frozen=True)
class BenchmarkRow:
    """The spread of the reportable members' means on one dimension."""

    dimension: str
    n_members: int
    median: float | None = None
    q1: float | None = None
    q3: float | None = None
    minimum: float | None = None
    maximum: float | None = None


@dataclass
class CollaborativeDashboard:
    """Everything the convenor's dashboard shows for one round and comparator group."""

    round: Round | None
    rounds: list[Round]
    tags: list[str]
    tag: str | None
    open_round: Round | None = None
    participation: list[ParticipationRow] = field(default_factory=list)
    benchmarks: list[BenchmarkRow] = field(default_factory=list)
    members_in_group: int = 0
    members_reported: int = 0
    is_updating: bool = False

    @property
    def members_not_reported(self) -> int:
        return self.members_in_group - self.members_reported


def comparator_tags(collaborative: Collaborative) -> list[str]:
    """Every tag used on the collaborative's memberships, sorted."""
    memberships = db.session.scalars(
        sa.select(Membership).where(Membership.collaborative_id == collaborative.id)
    )
    return sorted({tag for m in memberships for tag in m.comparator_tags})


def group_organisation_ids(collaborative: Collaborative, tag: str | None) -> set[int]:
    """The members in the comparator group ``tag`` (every member when None)."""
    memberships = db.session.scalars(
        sa.select(Membership).where(Membership.collaborative_id == collaborative.id)
    )
    return {m.organisation_id for m in memberships if tag is None or tag in m.comparator_tags}


def _participations(round_: Round, organisation_ids: set[int]) -> list[Participation]:
    return list(
        db.session.scalars(
            sa.select(Participation)
            .join(Organisation, Organisation.id == Participation.organisation_id)
            .where(
                Participation.round_id == round_.id,
                Participation.organisation_id.in_(organisation_ids),
            )
            .order_by(sa.func.lower(Organisation.name))
        )
    )


def stale_participation_ids(round_id: int) -> set[int]:
    """The round's members whose results do not yet include every submitted answer."""
    return set(
        db.session.scalars(
            sa.select(Participation.id)
            .outerjoin(
                ParticipationResult, ParticipationResult.participation_id == Participation.id
            )
            .where(
                Participation.round_id == round_id,
                Participation.answers_version
                > sa.func.coalesce(ParticipationResult.computed_from_version, 0),
            )
        )
    )


def participation_rows(round_: Round, organisation_ids: set[int]) -> list[ParticipationRow]:
    """Response counts for each member of the group in ``round_``."""
    participations = _participations(round_, organisation_ids)
    counts = counts_by_participation(p.id for p in participations)
    stale = stale_participation_ids(round_.id)
    return [
        ParticipationRow(
            p.organisation.name, counts.get(p.id, ResponseCounts()), p.eligible_staff, p.id in stale
        )
        for p in participations
    ]


def benchmark_rows(
    round_: Round, organisation_ids: set[int]
) -> tuple[list[BenchmarkRow], int, int]:
    """Each dimension's spread across the group's reportable members; how many members are
    reported, and how many take part."""
    participations = _participations(round_, organisation_ids)
    results = member_dimension_results([p.id for p in participations])
    reported: set[int] = set()
    rows = []
    for dimension in round_.framework_version.dimensions:
        means = {
            pid: row.mean
            for pid, by_key in results.items()
            if (row := by_key.get(dimension.key)) is not None and not row.suppressed
        }
        reported |= means.keys()
        if not means:
            rows.append(BenchmarkRow(dimension.name, 0))
            continue
        spread = benchmark(means)
        rows.append(
            BenchmarkRow(
                dimension.name,
                spread.n_members,
                spread.median,
                spread.q1,
                spread.q3,
                spread.minimum,
                spread.maximum,
            )
        )
    return rows, len(reported), len(participations)


def _open_round(rounds: list[Round]) -> Round | None:
    return next((r for r in rounds if r.state == RoundState.OPEN), None)


def collaborative_dashboard(
    collaborative: Collaborative, round_: Round | None, tag: str | None
) -> CollaborativeDashboard:
    """Read a round's participation and benchmarks for the members in a comparator group."""
    rounds = reported_rounds(collaborative.id)
    tags = comparator_tags(collaborative)
    dashboard = CollaborativeDashboard(round_ or (rounds[0] if rounds else None), rounds, tags, tag)
    members = group_organisation_ids(collaborative, tag)
    dashboard.open_round = _open_round(rounds) or dashboard.round
    if dashboard.open_round is not None:
        dashboard.participation = participation_rows(dashboard.open_round, members)
    if dashboard.round is None:
        return dashboard
    dashboard.is_updating = bool(stale_participation_ids(dashboard.round.id))
    if not dashboard.is_updating:
        rows, reported, taking_part = benchmark_rows(dashboard.round, members)
        dashboard.benchmarks, dashboard.members_reported = rows, reported
        dashboard.members_in_group = taking_part
    return dashboard
