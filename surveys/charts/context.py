"""Everything a round's charts are drawn from, loaded once from the result tables.

These are deliberate reads across members (that is what benchmarking is): the result rows
of every member of the round, their names, naming consents and comparator tags. Callers
decide who may see what; the chart builders decide what is shown and how it is labelled.
Result rows that are suppressed carry no figures and are treated as "not reported".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from maturity.collaboratives.models import Collaborative, Membership, PeerVisibility
from maturity.db import db
from maturity.frameworks.models import FrameworkVersion
from maturity.organisations.models import Organisation
from maturity.results.models import ALL_RESPONDENTS, BenchmarkResult, DimensionResult
from maturity.tenancy import unscoped
from surveys.rounds.models import NamingConsent, Participation, Round, RoundState

# The respondent attributes that get a breakdown chart, and what the chart calls them.
BREAKDOWN_ATTRIBUTES = {"role_band": "Role band", "perspective": "Perspective"}


@dataclass(frozen=True)
class Attribute:
    """A respondent attribute's name and its answer options (value -> short label)."""

    key: str
    name: str
    options: dict[str, str]


@dataclass(frozen=True)
class ResultFigures:
    """The figures of one stored dimension result (a plain copy, free of the session)."""

    round_id: int
    organisation_id: int
    dimension_key: str
    segment: str
    suppressed: bool
    n: int
    mean: float | None
    level: int | None
    level_distribution: dict[str, int]
    change_difference: float | None
    change_ci_low: float | None
    change_ci_high: float | None
    change_direction: str | None

    @classmethod
    def of(cls, row: DimensionResult) -> ResultFigures:
        """Copy a stored row."""
        return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class SpreadFigures:
    """The collaborative's spread on one dimension in a round (a plain copy)."""

    n_members: int
    median: float | None
    q1: float | None
    q3: float | None

    @classmethod
    def of(cls, row: BenchmarkResult) -> SpreadFigures:
        """Copy a stored row."""
        return cls(row.n_members, row.median, row.q1, row.q3)


@dataclass(frozen=True)
class RoundFacts:
    """What the charts need of a round and its collaborative."""

    id: int
    name: str
    opens_at: datetime
    collaborative_id: int
    min_group_size: int
    peer_visibility: PeerVisibility


@dataclass
class RoundContext:
    """A round's framework, members and results, as the chart builders read them."""

    round: RoundFacts
    level_names: tuple[str, ...]
    dimensions: list[tuple[str, str]]  # (key, name) in the framework's order
    attributes: list[Attribute]
    names: dict[int, str]  # organisation id -> name, for members taking part
    consents: dict[int, NamingConsent]
    tags: dict[int, list[str]]
    # organisation id -> dimension key -> the all-respondents result (reported or not)
    results: dict[int, dict[str, ResultFigures]] = field(default_factory=dict)
    benchmarks: dict[str, SpreadFigures] = field(default_factory=dict)

    @property
    def k(self) -> int:
        """The smallest group any figure may describe."""
        return self.round.min_group_size

    def mean(self, organisation_id: int, dimension_key: str) -> float | None:
        """A member's reported mean on a dimension (``None``: not reported)."""
        row = self.results.get(organisation_id, {}).get(dimension_key)
        return None if row is None or row.suppressed else row.mean

    def is_reported(self, organisation_id: int) -> bool:
        """Whether a member has any reported figure in the round."""
        return any(not row.suppressed for row in self.results.get(organisation_id, {}).values())

    def reported_members(self, tag: str | None = None) -> list[int]:
        """Members with a reported figure (carrying ``tag``, if given), by name."""
        members = [
            organisation_id
            for organisation_id in self.names
            if self.is_reported(organisation_id)
            and (tag is None or tag in self.tags.get(organisation_id, []))
        ]
        return sorted(members, key=lambda organisation_id: self.names[organisation_id])


def short_option_label(label: str) -> str:
    """ "Frontline" from "Frontline - I work directly with residents…"."""
    for separator in (" - ", " – ", ", such as", " (", ", "):
        label = label.split(separator)[0]
    return label.strip()


def _attributes(version: FrameworkVersion) -> list[Attribute]:
    found = {item.key: item for item in version.items if item.is_attribute}
    return [
        Attribute(
            key,
            name,
            {
                str(option["value"]): short_option_label(str(option.get("label", option["value"])))
                for option in found[key].options
            },
        )
        for key, name in BREAKDOWN_ATTRIBUTES.items()
        if key in found
    ]


def _framework(context_round: Round) -> tuple[tuple[str, ...], list, list[Attribute]]:
    version = db.session.get(FrameworkVersion, context_round.framework_version_id)
    levels = tuple(level.name for level in sorted(version.levels, key=lambda lv: lv.number))
    dimensions = [(d.key, d.name) for d in sorted(version.dimensions, key=lambda d: d.position)]
    return levels, dimensions, _attributes(version)


def _members(round_id: int, collaborative_id: int):
    rows = db.session.execute(
        sa.select(
            Participation.organisation_id,
            Organisation.name,
            Participation.naming_consent,
            Membership.comparator_tags,
        )
        .join(Organisation, Organisation.id == Participation.organisation_id)
        .outerjoin(
            Membership,
            sa.and_(
                Membership.organisation_id == Participation.organisation_id,
                Membership.collaborative_id == collaborative_id,
            ),
        )
        .where(Participation.round_id == round_id)
    ).all()
    names = {org_id: name for org_id, name, _, _ in rows}
    consents = {org_id: consent for org_id, _, consent, _ in rows}
    tags = {org_id: list(tags or []) for org_id, _, _, tags in rows}
    return names, consents, tags


def all_respondent_results(
    round_ids: list[int], organisation_ids: list[int] | None = None
) -> list[ResultFigures]:
    """The all-respondents dimension results of some rounds (and members)."""
    query = sa.select(DimensionResult).where(
        DimensionResult.round_id.in_(round_ids), DimensionResult.segment == ALL_RESPONDENTS
    )
    if organisation_ids is not None:
        query = query.where(DimensionResult.organisation_id.in_(organisation_ids))
    with unscoped():
        return [ResultFigures.of(row) for row in db.session.scalars(query)]


def benchmarks_of(round_ids: list[int]) -> dict[tuple[int, str], SpreadFigures]:
    """The benchmarks of some rounds, by (round id, dimension key)."""
    with unscoped():
        rows = db.session.scalars(
            sa.select(BenchmarkResult).where(BenchmarkResult.round_id.in_(round_ids))
        )
        return {(row.round_id, row.dimension_key): SpreadFigures.of(row) for row in rows}


def load_round_context(round_id: int) -> RoundContext | None:
    """The round's chart context, or ``None`` if there is no such round."""
    with unscoped():
        round_ = db.session.get(Round, round_id)
        if round_ is None:
            return None
        collaborative = db.session.get(Collaborative, round_.collaborative_id)
        facts = RoundFacts(
            round_.id,
            round_.name,
            round_.opens_at,
            collaborative.id,
            collaborative.min_group_size,
            collaborative.peer_visibility,
        )
        levels, dimensions, attributes = _framework(round_)
        names, consents, tags = _members(round_id, collaborative.id)
        context = RoundContext(facts, levels, dimensions, attributes, names, consents, tags)
        for row in all_respondent_results([round_id]):
            context.results.setdefault(row.organisation_id, {})[row.dimension_key] = row
        context.benchmarks = {key: row for (_, key), row in benchmarks_of([round_id]).items()}
    return context


def segment_results(round_id: int, organisation_id: int) -> list[ResultFigures]:
    """A member's results by respondent group (``attribute=value`` segments)."""
    with unscoped():
        rows = db.session.scalars(
            sa.select(DimensionResult).where(
                DimensionResult.round_id == round_id,
                DimensionResult.organisation_id == organisation_id,
                DimensionResult.segment != ALL_RESPONDENTS,
            )
        )
        return [ResultFigures.of(row) for row in rows]


def earlier_rounds(context: RoundContext) -> list[tuple[int, str]]:
    """The collaborative's rounds up to and including this one as (id, name), oldest first
    (drafts have no results)."""
    with unscoped():
        rows = db.session.execute(
            sa.select(Round.id, Round.name)
            .where(
                Round.collaborative_id == context.round.collaborative_id,
                Round.opens_at <= context.round.opens_at,
                Round.state != RoundState.DRAFT,
            )
            .order_by(Round.opens_at, Round.id)
        )
        return [(round_id, name) for round_id, name in rows]
