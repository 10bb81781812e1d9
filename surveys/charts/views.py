"""Serving chart images and their figures as CSV.

Images are stored by the chart worker; these views only look them up, by a key built from
objects loaded through the tenant scope, and serve them with an ETag and a long private
cache lifetime (a new version of a chart has a new URL). A coordinator reaches only their
own member's charts (peers appear inside them as the collaborative allows); a convenor
reaches the collaborative's charts. Nothing here draws.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Response, abort, g

from maturity.accounts.models import Role
from maturity.exports.writers import Sheet, iter_csv
from maturity.storage.services import find_file
from maturity.storage.web import stored_file_response
from maturity.tenancy import (
    collaborative_blueprint,
    first_or_404,
    get_or_404,
    organisation_blueprint,
)
from surveys.charts.catalogue import (
    ChartEntry,
    chart_key,
    collaborative_chart_set,
    group_prefix,
    member_chart_set,
    member_prefix,
)
from surveys.charts.services import tag_of_group
from surveys.rounds.models import Participation, Round

member_bp = organisation_blueprint("member_charts", __name__, Role.COORDINATOR, path="/charts")
collaborative_bp = collaborative_blueprint("collaborative_charts", __name__, "/charts")

CHART_ID = re.compile(r"[a-z][a-z0-9_-]{0,80}")
DIGEST = re.compile(r"[0-9a-f]{20}")
GROUP = re.compile(r"all|tag-[0-9a-f]{16}")
IMAGE_RULE = "/<int:round_id>/<chart_id>/<digest>.<any(svg, png):fmt>"


def _check(pattern: re.Pattern, value: str) -> str:
    if not pattern.fullmatch(value):
        abort(404)
    return value


def _image(prefix: str, chart_id: str, digest: str, fmt: str) -> Response:
    key = chart_key(prefix, _check(CHART_ID, chart_id), _check(DIGEST, digest), fmt)
    stored = find_file(key)
    if stored is None:
        abort(404)
    return stored_file_response(stored)


def _csv(entries: list[ChartEntry], chart_id: str, filename: str) -> Response:
    entry = next((e for e in entries if e.chart_id == chart_id), None)
    if entry is None:
        abort(404)
    headers, rows = entry.chart.table()
    response = Response(iter_csv([Sheet(entry.chart.title, headers, rows)]), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.cache_control.private = True
    response.cache_control.no_cache = True
    return response


def _participation(round_id: int) -> Participation:
    return first_or_404(
        sa.select(Participation).where(
            Participation.round_id == round_id,
            Participation.organisation_id == g.organisation.id,
        )
    )


@member_bp.get(IMAGE_RULE)
def chart_image(round_id: int, chart_id: str, digest: str, fmt: str):
    """One of the member's chart images, as the worker stored it."""
    participation = _participation(round_id)
    prefix = member_prefix(participation.collaborative_id, round_id, g.organisation.id)
    return _image(prefix, chart_id, digest, fmt)


@member_bp.get("/<int:round_id>/<chart_id>.csv")
def chart_data(round_id: int, chart_id: str):
    """The figures of one of the member's charts, as CSV."""
    _participation(round_id)
    entries = member_chart_set(round_id, g.organisation.id)
    return _csv(entries, _check(CHART_ID, chart_id), f"{g.organisation.slug}-{chart_id}.csv")


def _round(round_id: int) -> Round:
    return get_or_404(Round, round_id, collaborative_id=g.collaborative.id)


@collaborative_bp.get(
    "/<int:round_id>/<group>/<chart_id>/<digest>.<any(svg, png):fmt>", endpoint="chart_image"
)
def collaborative_chart_image(round_id: int, group: str, chart_id: str, digest: str, fmt: str):
    """One of the convenor's chart images, as the worker stored it."""
    round_ = _round(round_id)
    prefix = group_prefix(round_.collaborative_id, round_.id, _check(GROUP, group))
    return _image(prefix, chart_id, digest, fmt)


@collaborative_bp.get("/<int:round_id>/<group>/<chart_id>.csv", endpoint="chart_data")
def collaborative_chart_data(round_id: int, group: str, chart_id: str):
    """The figures of one of the convenor's charts, as CSV."""
    round_ = _round(round_id)
    found, tag = tag_of_group(round_.id, _check(GROUP, group))
    if not found:
        abort(404)
    entries = collaborative_chart_set(round_.id, tag)
    filename = f"{g.collaborative.slug}-{round_.slug}-{chart_id}.csv"
    return _csv(entries, _check(CHART_ID, chart_id), filename)
