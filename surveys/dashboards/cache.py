"""The member results page's view model (figures, history, chart views), kept between
requests and reused while what it shows has not changed.

A page view first reads the page's *version* in one query: everything the view model is
built from (the member's answers version and response counts, the stored results and
benchmarks of the collaborative's rounds, the members' names, consents and tags, the
collaborative's settings, the rounds, the stored chart images). The cached model is served
only when its version is the one just read, so new results show as soon as they land.
The version is read before the model is built, so a model is never older than its version.

Only the view model is kept, never the HTML (each response carries its own CSP nonce and
CSRF token). The cache belongs to the app (one per process) and is keyed by organisation and
round; the view loads the participation through the tenant scope before asking, so a cached
model is only ever handed to someone who may see it.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections import OrderedDict
from typing import Any

import sqlalchemy as sa
from flask import current_app

from maturity.collaboratives.models import Collaborative, Membership
from maturity.db import db
from maturity.frameworks.models import FrameworkVersion
from maturity.organisations.models import Organisation
from maturity.results.models import BenchmarkResult, ParticipationResult
from maturity.storage.models import StoredFile
from maturity.tenancy import unscoped
from surveys.charts.catalogue import member_prefix
from surveys.charts.services import ChartView
from surveys.dashboards.charts import member_chart_views
from surveys.dashboards.member import MemberDashboard, member_dashboard
from surveys.responses.models import Response, ResponseStatus
from surveys.rounds.models import Participation, Round

EXTENSION_KEY = "member_page_cache"
# A page's model holds its charts' tables: a few hundred KB for a national-scale round.
DEFAULT_SIZE = 64
# The dashboard's fields that are live objects of the request, never kept between requests.
LIVE_FIELDS = ("participation", "round")


@dataclasses.dataclass(frozen=True)
class CachedPage:
    """A member page's view model, without the request's own objects, and its version."""

    version: tuple
    dashboard_fields: dict[str, Any]
    charts: list[ChartView]


class ViewModelCache:
    """A small thread-safe least-recently-used map."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[Any, CachedPage] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> CachedPage | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: Any, entry: CachedPage) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def page_cache() -> ViewModelCache:
    """The current app's cache of member pages (made on first use)."""
    extensions = current_app.extensions
    if EXTENSION_KEY not in extensions:
        size = current_app.config.get("MEMBER_PAGE_CACHE_SIZE", DEFAULT_SIZE)
        extensions.setdefault(EXTENSION_KEY, ViewModelCache(size))
    return extensions[EXTENSION_KEY]


def _scalar(statement: sa.Select) -> sa.ScalarSelect:
    return statement.scalar_subquery()


def _text(column: Any) -> Any:
    return sa.func.coalesce(sa.cast(column, sa.String), "")


PARTICIPATION = sa.bindparam("participation_id", type_=sa.Integer)
ROUND = sa.bindparam("round_id", type_=sa.Integer)
COLLABORATIVE = sa.bindparam("collaborative_id", type_=sa.Integer)
# Chart prefixes are letters, digits and slashes, never LIKE's wildcards.
CHART_PREFIX = sa.bindparam("chart_prefix", type_=sa.String)


def _member_columns() -> list:
    """The member's own inputs: answers, response counts, when it and its round were made."""
    responses = sa.select(sa.func.count(Response.id)).where(
        Response.participation_id == PARTICIPATION
    )
    submitted = responses.where(Response.status == ResponseStatus.SUBMITTED)
    return [
        Participation.answers_version,
        Participation.eligible_staff,
        Participation.created_at,
        _scalar(responses),
        _scalar(submitted),
        _scalar(sa.select(Round.created_at).where(Round.id == ROUND)),
        _scalar(
            sa.select(FrameworkVersion.created_at)
            .join(Round, Round.framework_version_id == FrameworkVersion.id)
            .where(Round.id == ROUND)
        ),
    ]


def _collaborative_columns() -> list:
    """The collaborative's settings, rounds and stored results (every round's: the history
    and trend read earlier rounds); results are replaced, never edited, so a count and the
    latest computing time change whenever any of them does."""
    rounds = sa.func.aggregate_strings(
        _text(Round.id)
        + ":"
        + _text(Round.name)
        + ":"
        + _text(Round.state)
        + ":"
        + _text(Round.opens_at),
        "|",
    )
    settings = _text(Collaborative.min_group_size) + ":" + _text(Collaborative.peer_visibility)
    columns = [
        _scalar(sa.select(rounds).where(Round.collaborative_id == COLLABORATIVE)),
        _scalar(sa.select(settings).where(Collaborative.id == COLLABORATIVE)),
    ]
    for model in (ParticipationResult, BenchmarkResult):
        where = model.collaborative_id == COLLABORATIVE
        columns.append(_scalar(sa.select(sa.func.count(model.id)).where(where)))
        columns.append(_scalar(sa.select(sa.func.max(model.computed_at)).where(where)))
    return columns


def _peer_columns() -> list:
    """The round's members as the charts label them: names, naming consents, tags."""
    peers = sa.func.aggregate_strings(
        _text(Organisation.id)
        + ":"
        + _text(Organisation.slug)
        + ":"
        + _text(Organisation.name)
        + ":"
        + _text(Participation.naming_consent)
        + ":"
        + _text(Membership.comparator_tags),
        "|",
    )
    statement = (
        sa.select(peers)
        .select_from(Participation)
        .join(Organisation, Organisation.id == Participation.organisation_id)
        .outerjoin(
            Membership,
            sa.and_(
                Membership.organisation_id == Participation.organisation_id,
                Membership.collaborative_id == COLLABORATIVE,
            ),
        )
        .where(Participation.round_id == ROUND)
    )
    return [_scalar(statement)]


def _chart_columns() -> list:
    """Which of the member's chart images the worker has stored."""
    where = StoredFile.key.startswith(CHART_PREFIX)
    return [
        _scalar(sa.select(sa.func.count(StoredFile.id)).where(where)),
        _scalar(sa.select(sa.func.max(StoredFile.created_at)).where(where)),
    ]


@functools.cache
def _version_statement() -> sa.Select:
    """The version query, built once (its parameters are bound per page view)."""
    columns = _member_columns() + _collaborative_columns() + _peer_columns() + _chart_columns()
    return sa.select(*columns).where(Participation.id == PARTICIPATION)


def member_page_version(participation: Participation) -> tuple:
    """Everything the member's page is built from, summed up in one query.

    The participation was loaded through the tenant scope; the figures read here are the
    deliberate cross-member reads the charts make (peers' names and results), so the query
    runs without the scope's filter, which would cost more than the query itself.
    """
    params = {
        "participation_id": participation.id,
        "round_id": participation.round_id,
        "collaborative_id": participation.collaborative_id,
        "chart_prefix": member_prefix(
            participation.collaborative_id, participation.round_id, participation.organisation_id
        ),
    }
    with unscoped():
        row = db.session.execute(_version_statement(), params).one()
    return tuple(row)


def _build(participation: Participation, version: tuple) -> CachedPage:
    dashboard = member_dashboard(participation)
    views = member_chart_views(participation) if dashboard.is_reportable else []
    charts = [dataclasses.replace(view, chart=None) for view in views]  # the page needs no figure
    kept = {
        f.name: getattr(dashboard, f.name)
        for f in dataclasses.fields(dashboard)
        if f.name not in LIVE_FIELDS
    }
    return CachedPage(version, kept, charts)


def member_page(participation: Participation) -> tuple[MemberDashboard, list[ChartView]]:
    """The member's dashboard and charts for a round: the cached ones while their version
    is current, else freshly read (and kept)."""
    cache = page_cache()
    key = (participation.organisation_id, participation.round_id)
    version = member_page_version(participation)
    entry = cache.get(key)
    if entry is None or entry.version != version:
        entry = _build(participation, version)
        cache.put(key, entry)
    dashboard = MemberDashboard(
        participation=participation, round=participation.round, **entry.dashboard_fields
    )
    return dashboard, entry.charts
