"""The cross-member results export: member × dimension for one round, from the result
tables, with n, mean, spread, 95% CI, level, rank and change since the previous round.

Rows about fewer respondents than the collaborative's minimum group size are already
stored without figures (``suppressed``); they are exported the same way: the member and
the dimension, and no figure at all, not even n.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

import sqlalchemy as sa

from maturity.collaboratives.models import Collaborative
from maturity.db import db
from maturity.exports.writers import Table
from maturity.frameworks.models import Dimension, Level
from maturity.organisations.models import Organisation
from maturity.results.models import (
    ALL_RESPONDENTS,
    OVERALL,
    DimensionResult,
    ParticipationResult,
)


class RoundLike(Protocol):
    """What the export needs of a round (``surveys`` owns the Round model)."""

    id: int
    collaborative_id: int
    framework_version_id: int
    name: str


RESULT_HEADERS = [
    "round",
    "member",
    "member_id",
    "dimension_key",
    "dimension",
    "suppressed",
    "n",
    "mean",
    "median",
    "q1",
    "q3",
    "sd",
    "ci_low",
    "ci_high",
    "level",
    "level_name",
    "rank",
    "percentile",
    "change",
    "change_ci_low",
    "change_ci_high",
    "change_direction",
]
FIGURES = ("n", "mean", "median", "q1", "q3", "sd", "ci_low", "ci_high", "level")
CHANGE = ("change_difference", "change_ci_low", "change_ci_high", "change_direction")
OVERALL_NAME = "Overall maturity"


def member_names(organisation_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Each member's (name, identifier). The export is the convenor's, who sees every name;
    members see their peers only through the pages and the API, under the charts' rule."""
    return {
        organisation_id: (name, slug)
        for organisation_id, name, slug in db.session.execute(
            sa.select(Organisation.id, Organisation.name, Organisation.slug).where(
                Organisation.id.in_(organisation_ids)
            )
        )
    }


def _dimension_rows(round_id: int) -> list[DimensionResult]:
    return list(
        db.session.scalars(
            sa.select(DimensionResult).where(
                DimensionResult.round_id == round_id,
                DimensionResult.segment == ALL_RESPONDENTS,
            )
        )
    )


def _overall_rows(round_id: int) -> list[ParticipationResult]:
    return list(
        db.session.scalars(
            sa.select(ParticipationResult).where(ParticipationResult.round_id == round_id)
        )
    )


def _dimension_record(result: DimensionResult, hidden: bool) -> dict[str, Any]:
    record: dict[str, Any] = {"dimension_key": result.dimension_key}
    if hidden:
        return record
    record.update({name: getattr(result, name) for name in FIGURES})
    record.update(rank=result.rank, percentile=result.percentile)
    record.update(zip(("change", *CHANGE[1:]), (getattr(result, c) for c in CHANGE), strict=True))
    return record


def _overall_record(result: ParticipationResult, hidden: bool) -> dict[str, Any]:
    record: dict[str, Any] = {"dimension_key": OVERALL}
    if not hidden:
        record.update(n=result.n_submitted, mean=result.overall_mean, level=result.overall_level)
    return record


def _record(result: DimensionResult | ParticipationResult, hidden: bool) -> dict[str, Any]:
    if isinstance(result, ParticipationResult):
        return _overall_record(result, hidden) | {"suppressed": hidden}
    return _dimension_record(result, hidden) | {"suppressed": hidden}


def results_table(round_: RoundLike) -> Table:
    """Every member's result on every dimension of a round, and its overall maturity, as
    ``(headers, rows)``; rows in member order, dimensions in framework order. A round's
    results are small: the rows are read at once, as plain values.
    """
    collaborative = db.session.get(Collaborative, round_.collaborative_id)
    dimensions = db.session.scalars(
        sa.select(Dimension)
        .where(Dimension.version_id == round_.framework_version_id)
        .order_by(Dimension.position)
    ).all()
    level_names = dict(
        db.session.execute(
            sa.select(Level.number, Level.name).where(
                Level.version_id == round_.framework_version_id
            )
        ).all()
    )
    # A row computed before the minimum group size was raised is hidden as well.
    k = collaborative.min_group_size
    by_member: dict[int, list[tuple[DimensionResult | ParticipationResult, bool]]] = {}
    for result in _dimension_rows(round_.id):
        hidden = result.suppressed or result.n < k
        by_member.setdefault(result.organisation_id, []).append((result, hidden))
    for result in _overall_rows(round_.id):
        hidden = result.suppressed or result.n_submitted < k
        by_member.setdefault(result.organisation_id, []).append((result, hidden))
    labels = member_names(list(by_member))
    dimension_names = {d.key: d.name for d in dimensions} | {OVERALL: OVERALL_NAME}
    order = {d.key: position for position, d in enumerate(dimensions)} | {OVERALL: len(dimensions)}

    def rows() -> Iterator[list[Any]]:
        # Read now, as plain values: the caller may commit before writing the rows.
        for organisation_id in sorted(by_member, key=lambda o: labels[o][0].lower()):
            name, identifier = labels[organisation_id]
            records = [_record(result, hidden) for result, hidden in by_member[organisation_id]]
            for record in sorted(records, key=lambda r: order.get(r["dimension_key"], 10**6)):
                key = record["dimension_key"]
                record.update(
                    round=round_.name,
                    member=name,
                    member_id=identifier,
                    dimension=dimension_names.get(key, key),
                    level_name=level_names.get(record.get("level")),
                )
                yield [record.get(header) for header in RESULT_HEADERS]

    return RESULT_HEADERS, iter(list(rows()))
