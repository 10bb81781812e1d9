"""What the dashboards show for charts: ``ChartView`` records built from the chart figures
and the stored images, without drawing anything (a page never imports matplotlib).

The round and member are loaded through the caller's tenant scope (a coordinator's
organisation, a convenor's collaborative), so a foreign id gives no charts at all; the
peer figures and labels inside a chart are read across members by design.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import g, url_for

from maturity.charts.figures import Chart
from maturity.db import db
from maturity.organisations.models import Organisation
from surveys.charts.catalogue import (
    ChartEntry,
    chart_key,
    collaborative_entries,
    existing_keys,
    group_name,
    group_prefix,
    member_entries,
    member_prefix,
    round_tags,
)
from surveys.charts.context import load_round_context
from surveys.rounds.models import Participation, Round


@dataclass(frozen=True)
class ChartView:
    """One chart as a page shows it: the image (once drawn), its alt text, the adjacent
    table of the same figures and a link to download them as CSV."""

    chart_id: str
    kind: str
    title: str
    alt_text: str
    caption: str
    headers: list[str]
    rows: list[list[Any]]
    image_url: str | None
    png_url: str | None
    data_url: str
    dimension_key: str | None = None
    chart: Chart | None = field(default=None, repr=False, compare=False)

    @property
    def is_drawn(self) -> bool:
        """Whether the worker has rendered this version of the chart yet."""
        return self.image_url is not None


UrlFor = Callable[..., str]


def _in_scope(model: type, ident: int):
    """The object if the current tenant scope may see it (a query, never the identity map,
    so an object loaded earlier outside the scope is not handed back)."""
    return db.session.scalars(sa.select(model).where(model.id == ident)).first()


def _views(prefix: str, entries: list[ChartEntry], link: UrlFor) -> list[ChartView]:
    keys = {
        (entry.chart_id, fmt): chart_key(prefix, entry.chart_id, entry.digest, fmt)
        for entry in entries
        for fmt in ("svg", "png")
    }
    stored = existing_keys(keys.values())
    views = []
    for entry in entries:
        headers, rows = entry.chart.table()
        drawn = {fmt for fmt in ("svg", "png") if keys[(entry.chart_id, fmt)] in stored}
        views.append(
            ChartView(
                chart_id=entry.chart_id,
                kind=entry.chart.kind,
                title=entry.chart.title,
                alt_text=entry.chart.alt_text(),
                caption=entry.chart.caption,
                headers=headers,
                rows=rows,
                image_url=link("image", entry, "svg") if "svg" in drawn else None,
                png_url=link("image", entry, "png") if "png" in drawn else None,
                data_url=link("data", entry, "csv"),
                dimension_key=entry.dimension_key,
                chart=entry.chart,
            )
        )
    return views


def member_charts(round_id: int, organisation_id: int) -> list[ChartView]:
    """A member's charts for a round, as the member sees them (peers per visibility and
    consent); the links lead to the member's own chart routes."""
    participation = db.session.scalars(
        sa.select(Participation).where(
            Participation.round_id == round_id, Participation.organisation_id == organisation_id
        )
    ).first()
    organisation = _in_scope(Organisation, organisation_id)
    context = load_round_context(round_id) if participation and organisation else None
    if context is None:
        return []

    def link(what: str, entry: ChartEntry, fmt: str) -> str:
        args = {"org_slug": organisation.slug, "round_id": round_id, "chart_id": entry.chart_id}
        if what == "data":
            return url_for("member_charts.chart_data", **args)
        return url_for("member_charts.chart_image", **args, digest=entry.digest, fmt=fmt)

    prefix = member_prefix(context.round.collaborative_id, round_id, organisation_id)
    return _views(prefix, member_entries(context, organisation_id), link)


def collaborative_charts(round_id: int, tag: str | None = None) -> list[ChartView]:
    """The convenor's charts for a round, for every member or one comparator group."""
    round_ = _in_scope(Round, round_id)
    context = load_round_context(round_id) if round_ is not None else None
    if context is None or (tag is not None and tag not in round_tags(context)):
        return []
    group = group_name(tag)
    slug = g.collaborative.slug if "collaborative" in g else round_.collaborative.slug

    def link(what: str, entry: ChartEntry, fmt: str) -> str:
        args = {"collab_slug": slug, "round_id": round_id, "group": group}
        if what == "data":
            return url_for("collaborative_charts.chart_data", **args, chart_id=entry.chart_id)
        return url_for(
            "collaborative_charts.chart_image",
            **args,
            chart_id=entry.chart_id,
            digest=entry.digest,
            fmt=fmt,
        )

    prefix = group_prefix(context.round.collaborative_id, round_id, group)
    return _views(prefix, collaborative_entries(context, tag), link)


def comparator_tags(round_id: int) -> list[str]:
    """The comparator tags that have charts in this round (see ``round_tags``), sorted."""
    round_ = _in_scope(Round, round_id)
    context = load_round_context(round_id) if round_ is not None else None
    return [] if context is None else round_tags(context)


def tag_of_group(round_id: int, group: str) -> tuple[bool, str | None]:
    """The comparator tag a URL's group part stands for: (found, tag)."""
    if group == group_name(None):
        return True, None
    for tag in comparator_tags(round_id):
        if group_name(tag) == group:
            return True, tag
    return False, None
