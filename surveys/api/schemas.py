"""What the API answers about rounds, participations and results, and how it is built.

Anonymity follows the pages: a suppressed result has no figures at all (not even its n);
benchmarks count each reportable member once; a member sees its peers named only where
the collaborative names peers and the peer consented to be named to them, and otherwise
as "Member A", "Member B"… (``surveys.charts.labels``, the pages' own rule).
"""

from dataclasses import dataclass, field
from datetime import datetime

from maturity.results.models import BenchmarkResult, DimensionResult, ParticipationResult
from surveys.responses.counts import Breakdown, ResponseCounts
from surveys.rounds.models import NamingConsent, Round, RoundState


@dataclass(frozen=True)
class OrganisationRef:
    """An organisation, by its slug and name."""

    slug: str
    name: str


@dataclass(frozen=True)
class CountsOut:
    """Submitted and in-progress responses (never who, never what they answered)."""

    submitted: int
    in_progress: int


@dataclass(frozen=True)
class RoundRef:
    """A round of the survey across a collaborative."""

    id: int
    slug: str
    name: str
    collaborative: str
    state: RoundState
    opens_at: datetime
    closes_at: datetime
    framework_version_id: int


@dataclass(frozen=True)
class RoundOut(RoundRef):
    """A round of the survey across a collaborative, with its response totals (convenors)."""

    responses: CountsOut


@dataclass(frozen=True)
class RoundStateIn:
    """The state to move a round to: draft → open → closed → published (or reopen)."""

    state: RoundState


@dataclass(frozen=True)
class OverallOut:
    """A member's overall maturity in a round; null figures when suppressed."""

    suppressed: bool
    mean: float | None
    level: int | None


@dataclass(frozen=True)
class PerspectiveCountOut:
    """Submitted responses from one perspective; null when the group is too small."""

    label: str
    count: int | None


@dataclass(frozen=True)
class PerspectivesOut:
    """Submitted responses by perspective; withheld entirely below the minimum group size."""

    withheld: bool
    rows: list[PerspectiveCountOut]


@dataclass(frozen=True)
class ParticipationOut:
    """A member's part in a round: response counts and rate, consent, headline result."""

    round: RoundRef
    organisation: OrganisationRef
    eligible_staff: int | None
    response_rate: float | None
    naming_consent: NamingConsent
    responses: CountsOut
    results_current: bool
    overall: OverallOut


@dataclass(frozen=True)
class ParticipationDetailOut:
    """A member's part in a round, with the perspective breakdown when the round asks."""

    participation: ParticipationOut
    perspectives: PerspectivesOut | None


@dataclass(frozen=True)
class EligibleStaffIn:
    """How many staff could respond (for the response rate); null to clear it."""

    eligible_staff: int | None = field(metadata={"schema": {"minimum": 0, "maximum": 10_000_000}})


@dataclass(frozen=True)
class ChangeOut:
    """Change since the member's previous round: difference of means and its 95% CI."""

    difference: float
    ci_low: float
    ci_high: float
    direction: str


@dataclass(frozen=True)
class FiguresOut:
    """A group's figures on one dimension; every figure is null when suppressed."""

    dimension_key: str
    suppressed: bool
    n: int | None
    mean: float | None
    median: float | None
    q1: float | None
    q3: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None
    level: int | None
    rank: int | None
    percentile: float | None
    change: ChangeOut | None


@dataclass(frozen=True)
class MemberResultOut:
    """One member's result on one dimension (all respondents), for the convenor."""

    id: int
    organisation: OrganisationRef
    figures: FiguresOut


@dataclass(frozen=True)
class BenchmarkOut:
    """The collaborative's spread on one dimension (or overall): each member counts once."""

    dimension_key: str
    n_members: int
    median: float | None
    q1: float | None
    q3: float | None
    minimum: float | None
    maximum: float | None


@dataclass(frozen=True)
class PeerOut:
    """A reportable member's mean on a dimension, named only where that is allowed."""

    label: str
    is_own: bool
    mean: float
    level: int | None


@dataclass(frozen=True)
class DimensionComparisonOut:
    """A member's own figures on one dimension beside the collaborative's."""

    own: FiguresOut
    benchmark: BenchmarkOut | None
    peers: list[PeerOut]


@dataclass(frozen=True)
class MemberResultsOut:
    """A member's results in a round, dimension by dimension, against its peers."""

    round: RoundRef
    overall: OverallOut
    results_current: bool
    dimensions: list[DimensionComparisonOut]


def _round_fields(round_: Round) -> dict:
    return {
        "id": round_.id,
        "slug": round_.slug,
        "name": round_.name,
        "collaborative": round_.collaborative.slug,
        "state": round_.state,
        "opens_at": round_.opens_at,
        "closes_at": round_.closes_at,
        "framework_version_id": round_.framework_version_id,
    }


def round_ref(round_: Round) -> RoundRef:
    """The API's view of a round, without its totals."""
    return RoundRef(**_round_fields(round_))


def round_out(round_: Round, counts: ResponseCounts) -> RoundOut:
    """The API's view of a round with its response totals across every member."""
    return RoundOut(
        **_round_fields(round_), responses=CountsOut(counts.submitted, counts.in_progress)
    )


def overall_out(result: ParticipationResult | None) -> OverallOut:
    """A member's headline result; suppressed until one is reportable."""
    if result is None or result.suppressed:
        return OverallOut(suppressed=True, mean=None, level=None)
    return OverallOut(suppressed=False, mean=result.overall_mean, level=result.overall_level)


def perspectives_out(breakdown: Breakdown | None) -> PerspectivesOut | None:
    """The perspective breakdown as the API shows it."""
    if breakdown is None:
        return None
    rows = [PerspectiveCountOut(row.label, row.count) for row in breakdown.rows]
    return PerspectivesOut(withheld=breakdown.is_withheld, rows=rows)


def _change(row: DimensionResult) -> ChangeOut | None:
    if row.change_difference is None or row.change_ci_low is None or row.change_ci_high is None:
        return None
    return ChangeOut(
        row.change_difference, row.change_ci_low, row.change_ci_high, row.change_direction or ""
    )


def figures_out(row: DimensionResult) -> FiguresOut:
    """A dimension result; a suppressed one carries no figure at all."""
    if row.suppressed:
        return FiguresOut(row.dimension_key, True, *([None] * 12))
    return FiguresOut(
        dimension_key=row.dimension_key,
        suppressed=False,
        n=row.n,
        mean=row.mean,
        median=row.median,
        q1=row.q1,
        q3=row.q3,
        sd=row.sd,
        ci_low=row.ci_low,
        ci_high=row.ci_high,
        level=row.level,
        rank=row.rank,
        percentile=row.percentile,
        change=_change(row),
    )


def benchmark_out(row: BenchmarkResult) -> BenchmarkOut:
    """The API's view of a benchmark row."""
    return BenchmarkOut(
        row.dimension_key, row.n_members, row.median, row.q1, row.q3, row.minimum, row.maximum
    )
