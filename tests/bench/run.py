"""`make bench`: seed (or reuse) the synthetic data set and run the measures.

    .venv/bin/python -m tests.bench.run [--members 400 --respondents 250 --items 48
                                         --rounds 2 --seed 1] [--only P1,P3] [--fresh]

PostgreSQL from BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/
placewise_bench, created if missing; its tables are the bench's own) and Redis from
BENCH_REDIS_URL (default redis://127.0.0.1:6379/15, flushed by the measures that use it).
"""

import argparse
import importlib
import logging
import os
import sys
import time

import sqlalchemy as sa

from maturity.app import create_app
from maturity.db import db
from surveys.synthetic import Scale
from tests.bench.context import (
    DEFAULT_DATABASE_URL,
    DEFAULT_REDIS_URL,
    BenchContext,
    ensure_database,
)
from tests.bench.dataset import prepare_dataset
from tests.bench.machine import describe_machine
from tests.bench.outcome import failed_line, line_for
from tests.bench.registry import MEASURES


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The scale of the data set and which measures to run."""
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=400)
    parser.add_argument("--respondents", type=int, default=250)
    parser.add_argument("--items", type=int, default=48, help="scored items per round")
    parser.add_argument("--rounds", type=int, default=2, help="the latest is measured")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", default="", help="measures to run, e.g. P1,P3")
    parser.add_argument("--fresh", action="store_true", help="drop and reseed the data set")
    parser.add_argument("--freshness-seconds", type=float, default=30.0, help="P3's duration")
    parser.add_argument("--rate", type=float, default=20.0, help="P3's submissions a second")
    parser.add_argument("--p2-seconds", type=float, default=10.0, help="P2's duration per phase")
    args = parser.parse_args(argv)
    if min(args.members, args.respondents, args.items, args.rounds) < 1:
        parser.error("--members, --respondents, --items and --rounds must be at least 1")
    args.only = [m.strip().upper() for m in args.only.split(",") if m.strip()]
    unknown = [m for m in args.only if m not in MEASURES]
    if unknown:
        parser.error(f"unknown measures {', '.join(unknown)}; known: {', '.join(MEASURES)}")
    return args


def bench_app(database_url: str, redis_url: str):
    """The app the measures run in: development settings on the bench's services."""
    # No charts: P1 measures results without them, and no chart freshness check exists yet.
    app = create_app(
        "development", SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL="", RENDER_CHARTS=False
    )
    app.config["BENCH_REDIS_URL"] = redis_url
    logging.getLogger().setLevel(logging.WARNING)
    return app


def _postgres_version() -> str:
    return db.session.scalar(sa.text("SHOW server_version"))


def run_measures(context: BenchContext, selected: list[str], say=print) -> list[str]:
    """Run each selected measure; return the lines printed (a failure is a line too)."""
    lines = []
    for measure_id in selected:
        started = time.perf_counter()
        try:
            module = importlib.import_module(MEASURES[measure_id])
            line = line_for(module.measure(context))
        except Exception as error:  # one broken measure must not hide the others
            logging.getLogger(__name__).exception("%s failed", measure_id)
            line = failed_line(measure_id, error)
        say(line)
        say(f"    ({measure_id} took {time.perf_counter() - started:.0f} s)", file=sys.stderr)
        lines.append(line)
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run the bench; exit 1 when a measure could not run (a missed target is reported)."""
    args = parse_args(argv)
    database_url = ensure_database(os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL") or DEFAULT_REDIS_URL
    scale = Scale(args.members, args.respondents, args.items, args.rounds, args.seed)
    app = bench_app(database_url, redis_url)
    print(describe_machine())
    with app.app_context():
        print(f"PostgreSQL {_postgres_version()}; Redis {redis_url}")
        dataset = prepare_dataset(scale, fresh=args.fresh)
        db.session.remove()
        context = BenchContext(
            app=app,
            database_url=database_url,
            redis_url=redis_url,
            scale=scale,
            dataset=dataset,
            options={
                "freshness_seconds": args.freshness_seconds,
                "rate": args.rate,
                "p2_seconds": args.p2_seconds,
            },
        )
        print(
            f"Scale: {scale.members} members × {scale.respondents} respondents × "
            f"{scale.items} scored items, {scale.rounds} round(s), seed {scale.seed}; "
            f"measuring {dataset.latest_round_reference}"
        )
        lines = run_measures(context, args.only or list(MEASURES))
    return 1 if any(line.endswith("[FAILED]") for line in lines) else 0


if __name__ == "__main__":
    sys.exit(main())
