"""Drawing a round's charts and storing them. Workers only: this module brings in
matplotlib (through ``maturity.charts.render``), so nothing a page imports may import it.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from maturity.charts.render import FORMATS, render
from maturity.db import db
from maturity.results.models import ParticipationResult
from maturity.storage.models import StoredFile
from maturity.storage.services import put_file
from maturity.tenancy import unscoped
from surveys.charts.catalogue import (
    ChartEntry,
    chart_key,
    collaborative_entries,
    existing_keys,
    group_name,
    group_prefix,
    member_entries,
    member_prefix,
    round_prefix,
    round_tags,
)
from surveys.charts.context import load_round_context

log = logging.getLogger(__name__)


def _filename(entry: ChartEntry, fmt: str) -> str:
    return f"{entry.chart_id}.{fmt}"


def store_entries(prefix: str, collaborative_id: int, entries: list[ChartEntry]) -> set[str]:
    """Draw and store every entry not stored yet, and commit; return the keys of all
    entries (drawn now or before)."""
    keys = {
        (entry.chart_id, fmt): chart_key(prefix, entry.chart_id, entry.digest, fmt)
        for entry in entries
        for fmt in FORMATS
    }
    stored = existing_keys(keys.values())
    added = []
    for entry in entries:
        wanted = [fmt for fmt in FORMATS if keys[(entry.chart_id, fmt)] not in stored]
        if not wanted:
            continue
        for fmt, content in render(entry.chart, tuple(wanted)).items():
            added.append(
                put_file(
                    keys[(entry.chart_id, fmt)],
                    collaborative_id=collaborative_id,
                    content=content,
                    content_type=FORMATS[fmt],
                    filename=_filename(entry, fmt),
                )
            )
    db.session.commit()
    for stored_file in added:
        db.session.expunge(stored_file)  # the drawn bytes need not stay in memory
    return set(keys.values())


def prune_charts(prefix: str, keep: set[str]) -> int:
    """Delete the stored charts under ``prefix`` that are not in ``keep``; how many went."""
    doomed = db.session.scalars(
        sa.select(StoredFile).where(
            StoredFile.key.startswith(prefix, autoescape=True), StoredFile.key.not_in(keep)
        )
    ).all()
    for stored in doomed:
        db.session.delete(stored)
    return len(doomed)


def freshest_first(round_id: int, organisation_ids: list[int]) -> list[int]:
    """Members ordered by when their results were last computed, newest first (ties and
    members without a stored result keep their order): after a submission, the member who
    submitted gets its charts first, then the peers whose charts show it."""
    computed = dict(
        db.session.execute(
            sa.select(ParticipationResult.organisation_id, ParticipationResult.computed_at).where(
                ParticipationResult.round_id == round_id
            )
        ).all()
    )
    if not computed:
        return organisation_ids
    oldest = min(computed.values())
    return sorted(
        organisation_ids,
        key=lambda organisation_id: computed.get(organisation_id) or oldest,
        reverse=True,
    )


def draw_round_charts(round_id: int) -> None:
    """Draw and store every chart of a round that is missing or out of date, each member's
    committed as soon as drawn (the most recently recomputed member first)."""
    with unscoped():
        context = load_round_context(round_id)
        if context is None:
            return
        collaborative_id = context.round.collaborative_id
        keep: set[str] = set()
        for organisation_id in freshest_first(round_id, context.reported_members()):
            prefix = member_prefix(collaborative_id, round_id, organisation_id)
            keep |= store_entries(
                prefix, collaborative_id, member_entries(context, organisation_id)
            )
        for tag in [None, *round_tags(context)]:
            prefix = group_prefix(collaborative_id, round_id, group_name(tag))
            keep |= store_entries(prefix, collaborative_id, collaborative_entries(context, tag))
        pruned = prune_charts(round_prefix(collaborative_id, round_id), keep)
        db.session.commit()
    if pruned:
        log.info("Deleted %d outdated charts of round %d", pruned, round_id)
