"""Which charts a member and the convenor get for a round, and where their images live.

A chart's storage key names what it shows (collaborative, round, the member or comparator
group it is drawn for, the chart) and a digest of the exact figures and labels drawn —
the version of the results it was drawn from, and of everything else that changes the
picture (a peer's naming consent, the collaborative's visibility setting, the minimum group
size). New results give a new key, hence a new URL and ETag; the job deletes the old ones.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from maturity.charts.figures import Chart
from maturity.db import db
from maturity.storage.models import StoredFile
from maturity.tenancy import unscoped
from surveys.charts import convenor, member
from surveys.charts.context import RoundContext, load_round_context, segment_results
from surveys.charts.labels import peer_labels

# Bump when drawing changes, so every chart is drawn again under a new key.
DRAWING_VERSION = "1"
FORMATS = ("svg", "png")
ALL_MEMBERS = "all"


@dataclass(frozen=True)
class ChartEntry:
    """One chart of a set: its id within the set, its figures and (for per-dimension
    charts) the dimension's key."""

    chart_id: str
    chart: Chart
    dimension_key: str | None = None

    @property
    def digest(self) -> str:
        """A fingerprint of everything drawn: same figures, same digest."""
        payload = json.dumps(
            [DRAWING_VERSION, self.chart.kind, dataclasses.asdict(self.chart)],
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:20]


def round_prefix(collaborative_id: int, round_id: int) -> str:
    """Where every chart of a round is stored."""
    return f"charts/c{collaborative_id}/r{round_id}/"


def member_prefix(collaborative_id: int, round_id: int, organisation_id: int) -> str:
    """Where a member's charts of a round are stored."""
    return f"{round_prefix(collaborative_id, round_id)}o{organisation_id}/"


def group_name(tag: str | None) -> str:
    """The comparator group's part of a key: ``all``, or a fingerprint of the tag (tags are
    free text; the key and the URL only need to tell them apart)."""
    if tag is None:
        return ALL_MEMBERS
    return "tag-" + hashlib.sha256(tag.encode()).hexdigest()[:16]


def group_prefix(collaborative_id: int, round_id: int, group: str) -> str:
    """Where the convenor's charts of a round for one group are stored."""
    return f"{round_prefix(collaborative_id, round_id)}{group}/"


def chart_key(prefix: str, chart_id: str, digest: str, fmt: str) -> str:
    """The storage key of one drawn version of a chart."""
    return f"{prefix}{chart_id}/{digest}.{fmt}"


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def member_entries(context: RoundContext, organisation_id: int) -> list[ChartEntry]:
    """A member's charts: nothing at all unless the member has a reported figure."""
    if not context.is_reported(organisation_id):
        return []
    labels = peer_labels(
        secret=_secret(),
        visibility=context.round.peer_visibility,
        round_id=context.round.id,
        names={org_id: context.names[org_id] for org_id in context.reported_members()},
        consents=context.consents,
        viewer_organisation_id=organisation_id,
    )
    own = labels[organisation_id]
    entries = [ChartEntry("profile", member.profile_chart(context, organisation_id, own))]
    caption = member.member_benchmark_caption(context)
    for key, name in context.dimensions:
        bars = member.benchmark_bars(context, key, labels, organisation_id)
        figures = member.spread(context.benchmarks.get(key))
        chart = member.benchmark_chart(context, key, name, bars, figures, caption)
        entries.append(ChartEntry(f"benchmark-{key}", chart, key))
    entries.append(ChartEntry("trend", member.trend_chart(context, organisation_id, own)))
    entries.append(ChartEntry("distribution", member.distribution_chart(context, organisation_id)))
    segments = segment_results(context.round.id, organisation_id)
    for attribute in context.attributes:
        chart = member.breakdown_chart(context, attribute, segments)
        entries.append(ChartEntry(f"breakdown-{attribute.key}", chart))
    entries.append(ChartEntry("momentum", member.momentum_chart(context, organisation_id, own)))
    return [entry for entry in entries if entry.chart is not None]


def collaborative_entries(context: RoundContext, tag: str | None) -> list[ChartEntry]:
    """The convenor's charts for every member, or the members carrying ``tag`` (none for a
    group too small to compare)."""
    if tag is not None and tag not in round_tags(context):
        return []
    members = context.reported_members(tag)
    entries = [ChartEntry("heatmap", convenor.heatmap_chart(context, members, tag))]
    for key, name in context.dimensions:
        chart = convenor.convenor_benchmark(context, key, name, members, tag)
        entries.append(ChartEntry(f"benchmark-{key}", chart, key))
    for key, name in context.dimensions:
        chart = convenor.convenor_momentum(context, key, name, members, tag)
        entries.append(ChartEntry(f"momentum-{key}", chart, key))
    return [entry for entry in entries if entry.chart is not None]


def member_chart_set(round_id: int, organisation_id: int) -> list[ChartEntry]:
    """A member's charts for a round (no request needed: jobs and reports use this)."""
    context = load_round_context(round_id)
    return [] if context is None else member_entries(context, organisation_id)


def collaborative_chart_set(round_id: int, tag: str | None = None) -> list[ChartEntry]:
    """The convenor's charts for a round and comparator group."""
    context = load_round_context(round_id)
    return [] if context is None else collaborative_entries(context, tag)


def round_tags(context: RoundContext) -> list[str]:
    """The comparator tags that at least ``MIN_MEMBERS_FOR_SPREAD`` of the round's reported
    members carry, sorted: a smaller group has no spread to compare against, and a tag that
    every member carries is the same as no filter."""
    reported = context.reported_members()
    counts = Counter(tag for org_id in reported for tag in context.tags[org_id])
    return sorted(
        tag for tag, n in counts.items() if member.MIN_MEMBERS_FOR_SPREAD <= n < len(reported)
    )


def existing_keys(keys: Iterable[str]) -> set[str]:
    """Which of ``keys`` are stored (one query)."""
    keys = list(keys)
    if not keys:
        return set()
    with unscoped():
        return set(db.session.scalars(sa.select(StoredFile.key).where(StoredFile.key.in_(keys))))


def stored_chart(prefix: str, entry: ChartEntry, fmt: str) -> StoredFile | None:
    """The stored image of this version of a chart, if the worker has drawn it."""
    key = chart_key(prefix, entry.chart_id, entry.digest, fmt)
    return db.session.scalar(sa.select(StoredFile).where(StoredFile.key == key))
