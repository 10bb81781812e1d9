"""QUALITY R12: SIGKILL the work horse mid-aggregation; the job is retried and the results
equal a from-scratch computation, with exactly one row per key."""

import os
import signal
import subprocess
import time

import sqlalchemy as sa
from redis import Redis
from rq.job import Job
from rq.registry import ScheduledJobRegistry, StartedJobRegistry

from maturity.db import db
from maturity.jobs.models import BackgroundTask, TaskStatus
from maturity.jobs.queue import queue_for
from maturity.results.models import (
    BenchmarkResult,
    DimensionResult,
    ItemResult,
    ParticipationResult,
)
from surveys.jobs import (
    recompute_round,
    stale_benchmark_round_ids,
    stale_participation_ids,
    start_round_recompute,
)
from surveys.rounds.models import Round
from surveys.synthetic import Scale, create_synthetic_collaborative
from tests.jobs_support import app_with_redis, own_redis, stop_worker
from tests.jobs_support import start_worker as start_worker_process

SCALE = Scale(members=150, respondents=20, items=12, seed=12)
VOLATILE = {"id", "computed_at"}
LOG_NAME = "worker-killed.log"
RESULT_TABLES = (ParticipationResult, DimensionResult, ItemResult, BenchmarkResult)


def result_snapshot() -> dict[str, list[tuple]]:
    db.session.expire_all()
    snapshot = {}
    for model in RESULT_TABLES:
        columns = [c for c in model.__table__.columns if c.name not in VOLATILE]
        rows = db.session.execute(sa.select(*columns)).all()
        snapshot[model.__tablename__] = sorted((tuple(row) for row in rows), key=repr)
    return snapshot


def task_state(task_id: int) -> BackgroundTask:
    db.session.expire_all()
    return db.session.get(BackgroundTask, task_id)


def start_worker(database_url: str, redis_url: str) -> subprocess.Popen:
    return start_worker_process(database_url, redis_url, every=2, log_name=LOG_NAME)


def queue_is_idle(redis_url: str) -> bool:
    queue = queue_for(Redis.from_url(redis_url))
    running = StartedJobRegistry(queue=queue)
    waiting = ScheduledJobRegistry(queue=queue)
    return len(queue) == 0 and running.count == 0 and waiting.count == 0


def settled(redis_url: str) -> bool:
    db.session.expire_all()
    return (
        queue_is_idle(redis_url)
        and not stale_participation_ids()
        and not stale_benchmark_round_ids()
    )


def wait_for(predicate, timeout: float, step: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out waiting")


def test_a_killed_work_horse_is_retried_and_results_equal_a_clean_run(app):
    collaborative = create_synthetic_collaborative(SCALE)
    db.session.commit()
    round_ = db.session.scalars(
        sa.select(Round).where(Round.collaborative_id == collaborative.id)
    ).one()
    with own_redis() as server:
        redis_app = app_with_redis(app, server.url)
        with redis_app.app_context():
            task_id = start_round_recompute(db.session.get(Round, round_.id), None).id
            db.session.commit()
        worker = start_worker(app.config["SQLALCHEMY_DATABASE_URI"], server.url)
        try:
            job = Job.fetch(f"recompute-round-{round_.id}", connection=Redis.from_url(server.url))
            midway = wait_for(
                lambda: (t := task_state(task_id)) and 0 < t.done < t.total - 2 and job.get_meta(),
                timeout=120,
            )
            horse = job.get_meta(refresh=True)["horse_pid"]
            assert midway and horse != worker.pid
            os.kill(horse, signal.SIGKILL)
            finished = wait_for(
                lambda: task_state(task_id).status == TaskStatus.FINISHED, timeout=120, step=0.2
            )
            assert finished
            assert job.get_status(refresh=True) == "finished"
            # The worker's periodic reconcile may have queued members too: let it all drain
            # until nothing is queued and nothing is behind.
            assert wait_for(lambda: settled(server.url), timeout=120, step=0.5)
        finally:
            assert stop_worker(worker), "the worker did not stop within 30 s of SIGTERM"
    after_kill = result_snapshot()
    members = SCALE.members
    dimensions = 2  # 12 items, six to a dimension
    assert len(after_kill["participation_results"]) == members
    assert len(after_kill["dimension_results"]) == members * dimensions
    assert len(after_kill["item_results"]) == members * SCALE.items
    recompute_round(round_.id)  # a clean, uninterrupted run over the same data
    assert result_snapshot() == after_kill
