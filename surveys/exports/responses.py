"""The respondent-level export: one row per submitted response, one column per item key.

The rows are anonymised: no user, email, address, invitation or time; a response is named
by its public id (random, stored with it, the same in every export; an imported response
keeps the id its file gave it), its member by the organisation's identifier. Members with
fewer submitted responses than the collaborative's minimum group size are left out, as in
every other export.

The same format is what :mod:`surveys.exports.importing` reads.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy as sa

from maturity.collaboratives.models import Collaborative
from maturity.db import db
from maturity.exports.writers import Table
from maturity.frameworks.models import FrameworkVersion, Item, ItemType
from maturity.organisations.models import Organisation
from surveys.responses.models import Answer, Response, ResponseStatus
from surveys.responses.sections import sections_for
from surveys.rounds.models import Participation, Round

RESPONSE_COLUMN = "response"
MEMBER_COLUMN = "member_id"
FIXED_COLUMNS = (RESPONSE_COLUMN, MEMBER_COLUMN)
MULTI_SEPARATOR = "; "
STREAM_BATCH = 5000


def survey_items(version: FrameworkVersion) -> list[Item]:
    """The version's items in the order the survey asks them."""
    return [item for section in sections_for(version) for item in section.items]


def _number(text: str) -> int | float | str:
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return text
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _score(stored: str) -> int | str:
    return int(stored) if stored.isdigit() else stored


def _choices(stored: str) -> str:
    try:
        return MULTI_SEPARATOR.join(json.loads(stored))
    except (ValueError, TypeError):
        return stored


# How each kind of answer appears in the export; text and single choices as they are.
CONVERTERS: dict[ItemType, Callable[[str], Any]] = {
    ItemType.LEVEL: _score,
    ItemType.LIKERT: _score,
    ItemType.NUMBER: _number,
    ItemType.MULTI: _choices,
}


def cell_value(item_type: ItemType, stored: str) -> Any:
    """An answer as it appears in the export: scores and numbers as numbers, several
    choices joined with "; ", anything else as its text."""
    convert = CONVERTERS.get(item_type)
    return stored if convert is None else convert(stored)


def reportable_participation_ids(round_: Round) -> list[int]:
    """The round's members with at least the minimum group size of submitted responses."""
    k = db.session.get(Collaborative, round_.collaborative_id).min_group_size
    return list(
        db.session.scalars(
            sa.select(Response.participation_id)
            .join(Participation, Participation.id == Response.participation_id)
            .where(
                Participation.round_id == round_.id,
                Response.status == ResponseStatus.SUBMITTED,
            )
            .group_by(Response.participation_id)
            .having(sa.func.count() >= k)
        )
    )


def _wide_rows(participation_ids: list[int], item_ids: list[int]) -> sa.Select:
    """One row per submitted response with one column per item: the database pivots the
    answers (as a spreadsheet would), so each response crosses the wire once."""
    columns = [
        sa.func.max(sa.case((Answer.item_id == item_id, Answer.value))).label(f"item_{n}")
        for n, item_id in enumerate(item_ids)
    ]
    return (
        sa.select(Response.public_id, Organisation.slug, *columns)
        .select_from(Response)
        .join(Organisation, Organisation.id == Response.organisation_id)
        .outerjoin(Answer, Answer.response_id == Response.id)
        .where(
            Response.participation_id.in_(participation_ids),
            Response.status == ResponseStatus.SUBMITTED,
        )
        .group_by(Response.id, Organisation.slug)
        .order_by(Response.id)
    )


def _rows(
    participation_ids: list[int], item_types: list[tuple[int, ItemType]]
) -> Iterator[list[Any]]:
    """Stream the wide rows on a server-side cursor, so memory stays flat however many
    there are. It takes plain values only, so it can run after the caller has committed
    (a streamed download records its audit event first)."""
    if not participation_ids:
        return
    item_ids = [item_id for item_id, _ in item_types]
    converters = [CONVERTERS.get(item_type) for _, item_type in item_types]
    result = db.session.execute(
        _wide_rows(participation_ids, item_ids).execution_options(yield_per=STREAM_BATCH)
    )
    for public_id, slug, *values in result:
        row = [public_id, slug]
        for value, convert in zip(values, converters, strict=True):
            row.append(value if value is None or convert is None else convert(value))
        yield row


def responses_table(round_: Round) -> Table:
    """A round's submitted responses in the wide format, as ``(headers, row iterator)``.

    The rows are read lazily, in the app context they are iterated in (a streamed
    response needs ``stream_with_context``). Whether the collaborative allows
    respondent-level exports is the caller's check (see ``services.check_rows_allowed``).
    """
    version = db.session.get(FrameworkVersion, round_.framework_version_id)
    items = survey_items(version)
    headers = [*FIXED_COLUMNS, *(item.key for item in items)]
    item_types = [(item.id, item.item_type) for item in items]
    return headers, _rows(reportable_participation_ids(round_), item_types)
