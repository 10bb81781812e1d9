"""Response counts for participation pages: totals per participation or round, and the
perspective breakdown with small-group suppression.

Only counts leave this module: never who answered, never what anyone answered. The
suppression rule itself is the engine's one (``maturity.engine.suppress_cells``), so these
pages hide exactly what results and charts hide.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from maturity.db import db
from maturity.engine import suppress_cells
from maturity.frameworks.models import Item
from surveys.responses.models import Answer, Response, ResponseStatus
from surveys.rounds.models import Participation

PERSPECTIVE_KEY = "perspective"
NO_ANSWER_LABEL = "Did not say"
# Option values are keys, so this cannot clash with one (keys start with a letter).
NO_ANSWER_CELL = "~no-answer"


@dataclass(frozen=True)
class ResponseCounts:
    """How many responses are submitted and how many are still in progress."""

    submitted: int = 0
    in_progress: int = 0

    def rate(self, eligible: int | None) -> float | None:
        """Submitted responses as a share of ``eligible`` staff (None if that is unknown)."""
        if not eligible:
            return None
        return self.submitted / eligible


@dataclass(frozen=True)
class CountRow:
    """One category of a breakdown; ``count`` is None when it is suppressed."""

    label: str
    count: int | None

    @property
    def is_suppressed(self) -> bool:
        return self.count is None


@dataclass(frozen=True)
class Breakdown:
    """A breakdown of submitted responses, safe to show."""

    rows: list[CountRow]
    total: int
    min_group_size: int

    @property
    def is_withheld(self) -> bool:
        """Too few submitted to break down at all."""
        return self.total < self.min_group_size


def _grouped(key: sa.ColumnElement, where: sa.ColumnElement[bool]) -> dict[int, ResponseCounts]:
    submitted = Response.status == ResponseStatus.SUBMITTED
    in_progress = Response.status == ResponseStatus.IN_PROGRESS
    rows = db.session.execute(
        sa.select(
            key,
            sa.func.count(Response.id).filter(submitted),
            sa.func.count(Response.id).filter(in_progress),
        )
        .select_from(Response)
        .join(Participation, Participation.id == Response.participation_id)
        .where(where)
        .group_by(key)
    )
    return {group: ResponseCounts(done, started) for group, done, started in rows}


def counts_by_participation(participation_ids: Iterable[int]) -> dict[int, ResponseCounts]:
    """Submitted and in-progress responses of each participation, in one query."""
    ids = list(participation_ids)
    if not ids:
        return {}
    return _grouped(Participation.id, Participation.id.in_(ids))


def counts_by_round(round_ids: Iterable[int]) -> dict[int, ResponseCounts]:
    """Submitted and in-progress responses of each round, across its members, in one query."""
    ids = list(round_ids)
    if not ids:
        return {}
    return _grouped(Participation.round_id, Participation.round_id.in_(ids))


def perspective_item(participation: Participation) -> Item | None:
    """The round's question about who the respondent works for, if it asks one."""
    return db.session.scalars(
        sa.select(Item).where(
            Item.version_id == participation.round.framework_version_id,
            Item.key == PERSPECTIVE_KEY,
        )
    ).first()


def perspective_counts(participation: Participation, item: Item) -> dict[str, int]:
    """Submitted responses by their answer to ``item``, keyed by the option's value."""
    rows = db.session.execute(
        sa.select(Answer.value, sa.func.count(Answer.id))
        .join(Response, Response.id == Answer.response_id)
        .where(
            Response.participation_id == participation.id,
            Response.status == ResponseStatus.SUBMITTED,
            Answer.item_id == item.id,
        )
        .group_by(Answer.value)
    )
    return dict(rows.all())


def breakdown_rows(
    options: Sequence[tuple[str, str]],
    counts_by_value: Mapping[str, int],
    submitted: int,
    min_group_size: int,
    *,
    list_no_answer: bool,
) -> Breakdown:
    """Submitted responses per option (value, label), suppressed for anonymity.

    Every option is listed, even with nobody, so that a missing row reveals nothing; answers
    outside the options and unanswered questions make a "Did not say" row, so the rows always
    add up to the shown total. With fewer than k submitted nothing is broken down at all.
    """
    if submitted < min_group_size:
        return Breakdown(rows=[], total=submitted, min_group_size=min_group_size)
    cells = {value: counts_by_value.get(value, 0) for value, _label in options}
    labels = dict(options)
    rest = submitted - sum(cells.values())
    if rest > 0 or list_no_answer:
        cells[NO_ANSWER_CELL] = max(rest, 0)
        labels[NO_ANSWER_CELL] = NO_ANSWER_LABEL
    shown = suppress_cells(cells, min_group_size, total_is_shown=True)
    rows = [CountRow(labels[cell], count) for cell, count in shown.items()]
    return Breakdown(rows=rows, total=submitted, min_group_size=min_group_size)


def perspective_breakdown(
    participation: Participation, submitted: int, min_group_size: int
) -> Breakdown | None:
    """Submitted responses by perspective, safe to show (None if the round does not ask)."""
    item = perspective_item(participation)
    if item is None:
        return None
    options = [(option["value"], option["label"]) for option in item.options]
    return breakdown_rows(
        options,
        perspective_counts(participation, item),
        submitted,
        min_group_size,
        list_no_answer=not item.is_required,
    )
