"""What every measure gets: the bench app on its own PostgreSQL database and Redis index,
the seeded data set, and a place to share work between measures (P1 and P6 share a run)."""

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import make_url

from config import database_url
from surveys.synthetic import Scale

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/placewise_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"


@dataclass(frozen=True)
class Dataset:
    """The seeded collaborative and its rounds (oldest first)."""

    collaborative_id: int
    collaborative_slug: str
    round_ids: list[int]
    round_references: list[str]

    @property
    def latest_round_id(self) -> int:
        return self.round_ids[-1]

    @property
    def latest_round_reference(self) -> str:
        return self.round_references[-1]


@dataclass
class BenchContext:
    """The app, its database and Redis, the scale, the data set and shared results."""

    app: Flask
    database_url: str
    redis_url: str
    scale: Scale
    dataset: Dataset
    options: dict[str, Any] = field(default_factory=dict)
    shared: dict[str, Any] = field(default_factory=dict)

    def shared_result(self, key: str, compute):
        """Compute something once per run and hand the same result to every measure."""
        if key not in self.shared:
            self.shared[key] = compute()
        return self.shared[key]

    def flask_env(self, *, with_redis: bool) -> dict[str, str]:
        """The environment for a `flask --app wsgi …` child process on the bench services."""
        env = dict(os.environ)
        env.update(
            PLACEWISE_ENV="development",
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis_url if with_redis else "",
        )
        return env

    def flask_command(self, *args: str) -> list[str]:
        """The command line of `flask --app wsgi …` with this interpreter's environment."""
        flask = Path(sys.executable).with_name("flask")
        return [str(flask), "--app", "wsgi", *args]

    def run_flask(self, *args: str, with_redis: bool = False) -> subprocess.CompletedProcess:
        """Run a `flask --app wsgi …` command to completion, failing loudly."""
        return subprocess.run(
            self.flask_command(*args),
            cwd=ROOT,
            env=self.flask_env(with_redis=with_redis),
            capture_output=True,
            text=True,
            check=True,
        )


def ensure_database(url: str) -> str:
    """Create the bench's PostgreSQL database if it is missing; return the SQLAlchemy URL."""
    url = database_url(url)
    if not url.startswith("postgresql"):
        raise SystemExit(f"The bench runs on PostgreSQL; BENCH_DATABASE_URL is {url!r}")
    target = make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
            {"name": target.database},
        )
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    return url
