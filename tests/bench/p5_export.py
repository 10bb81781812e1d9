"""P5: the respondent-level export of the measured round, streamed as CSV the way the web
download writes it, against PostgreSQL's own ``COPY (query) TO STDOUT`` of the same wide
rows (one per submitted response of the members the export reports, one column per item).
Throughput in rows a second; the export's peak memory is read after a quarter of its rows
and at the end, and must not grow with the rows (flat: at most 10% or 20 MB more).
"""

import json
import subprocess
import sys
import time

import sqlalchemy as sa

from maturity.db import db
from maturity.frameworks.models import FrameworkVersion
from maturity.tenancy import unscoped
from surveys.exports.responses import reportable_participation_ids, survey_items
from surveys.responses.models import Response, ResponseStatus
from surveys.rounds.models import Round
from tests.bench.context import ROOT, BenchContext
from tests.bench.outcome import Outcome, Reference

TARGET_RATIO = 0.3
FLAT_SLACK_MB = 20.0
FLAT_SLACK_RATIO = 0.10


def _copy_query(round_id: int) -> tuple[str, int]:
    """The same wide rows as one SQL statement (a pivot of the answers), and their count."""
    round_ = db.session.get(Round, round_id)
    items = survey_items(db.session.get(FrameworkVersion, round_.framework_version_id))
    members = reportable_participation_ids(round_) or [0]
    columns = ", ".join(
        f'max(a.value) FILTER (WHERE a.item_id = {item.id}) AS "{item.key}"' for item in items
    )
    # Only integers and item keys (lower-case letters, digits, _ and -) go into the text.
    query = (
        f"SELECT r.id AS response, o.slug AS member_id, {columns} "  # noqa: S608
        "FROM responses r JOIN participations p ON p.id = r.participation_id "
        "JOIN organisations o ON o.id = r.organisation_id "
        "LEFT JOIN answers a ON a.response_id = r.id "
        f"WHERE p.round_id = {round_id} AND r.status = 'submitted' "
        f"AND r.participation_id IN ({', '.join(str(int(m)) for m in members)}) "
        "GROUP BY r.id, o.slug ORDER BY r.id"
    )
    rows = db.session.scalar(
        sa.select(sa.func.count(Response.id)).where(
            Response.participation_id.in_(members), Response.status == ResponseStatus.SUBMITTED
        )
    )
    return query, rows


def _copy_seconds(query: str) -> float:
    """How long PostgreSQL takes to COPY the rows out as CSV to this process."""
    connection = db.engine.raw_connection()
    try:
        cursor = connection.driver_connection.cursor()
        started = time.perf_counter()
        with cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
            for _ in copy:
                pass
        return time.perf_counter() - started
    finally:
        connection.close()


def _export_run(context: BenchContext, rows: int) -> dict:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.bench.p5_export_child",
            str(context.dataset.latest_round_id),
            str(rows),
        ],
        cwd=ROOT,
        env=context.flask_env(with_redis=False),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure(context: BenchContext) -> Outcome:
    """Streamed CSV export throughput against COPY's, and whether its memory stays flat."""
    with context.app.app_context(), unscoped():
        query, rows = _copy_query(context.dataset.latest_round_id)
        copy_seconds = _copy_seconds(query)
    run = _export_run(context, rows)
    if run["rows"] != rows:
        raise RuntimeError(f"the export wrote {run['rows']} rows; the round has {rows}")
    export_rate, copy_rate = rows / run["seconds"], rows / copy_seconds
    quarter, end = run["peak_at_quarter_mb"], run["peak_at_end_mb"]
    is_flat = end <= max(quarter * (1 + FLAT_SLACK_RATIO), quarter + FLAT_SLACK_MB)
    return Outcome(
        measure="P5",
        what=f"respondent-level export, streamed CSV ({rows:,} rows × {run['columns']} columns)",
        figure=export_rate,
        unit="rows/s",
        target=f"≥ {TARGET_RATIO}× COPY's throughput; peak memory flat in rows",
        met=export_rate >= TARGET_RATIO * copy_rate and is_flat,
        references=[Reference("COPY (query) TO STDOUT", copy_rate, "rows/s")],
        details=(
            f"peak memory {quarter:.0f} MB after {rows // 4:,} rows, {end:.0f} MB after "
            f"{rows:,} ({'flat' if is_flat else 'GROWS'}); {run['bytes'] / 1e6:.0f} MB written"
        ),
    )
