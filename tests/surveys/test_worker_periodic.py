"""A real worker opens rounds on time from its own loop, and stops promptly when asked.

The periodic work runs between jobs in the worker's main loop, not in a thread, so the
processes RQ forks (work horses, the scheduler) never inherit a lock held mid-call.
"""

import time
from datetime import timedelta

import pytest
from redis import Redis
from rq.exceptions import StopRequested

from maturity.db import db, utcnow
from maturity.frameworks.services import install_default_framework
from maturity.jobs.worker import PERIODIC_LOCK, PeriodicWork
from surveys.rounds.models import Round, RoundState
from surveys.rounds.services import create_round
from tests.jobs_support import own_redis, start_worker, stop_worker


def draft_round_due(world, opens_in: timedelta) -> Round:
    version = install_default_framework(world.collaborative)
    now = utcnow()
    round_ = create_round(
        world.collaborative,
        version,
        "Spring round",
        opens_at=now + opens_in,
        closes_at=now + timedelta(days=30),
        actor_id=None,
    )
    db.session.commit()
    return round_


def round_state(round_id: int) -> RoundState:
    db.session.expire_all()
    return db.session.get(Round, round_id).state


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def test_the_worker_opens_a_round_due_while_it_runs_and_stops_when_asked(app, world):
    with own_redis() as server:
        due = draft_round_due(world, opens_in=timedelta(seconds=3))
        worker = start_worker(
            app.config["SQLALCHEMY_DATABASE_URI"], server.url, every=1, log_name="periodic.log"
        )
        try:
            assert wait_for(lambda: round_state(due.id) == RoundState.OPEN, 30)
            time.sleep(2)  # several more periodic runs and scheduler checks
        finally:
            assert stop_worker(worker), "the worker did not stop within 30 s of SIGTERM"


def test_periodic_work_runs_once_per_interval_across_workers(app):
    with own_redis() as server:
        redis = Redis.from_url(server.url)
        runs = []
        first = PeriodicWork(app, redis, lambda: runs.append("first"), every=30)
        second = PeriodicWork(app, redis, lambda: runs.append("second"), every=30)

        first.run_once()
        second.run_once()
        first.run_once()

        assert runs == ["first"]
        redis.delete(PERIODIC_LOCK)
        second.run_once()
        assert runs == ["first", "second"]


def test_periodic_work_survives_a_failing_task_and_redis_going_away(app):
    with own_redis() as server:
        redis = Redis.from_url(server.url)

        def failing() -> None:
            raise RuntimeError("database hiccup")

        PeriodicWork(app, redis, failing, every=5).run_once()  # logged, not raised
        assert redis.exists(PERIODIC_LOCK), "the other workers still wait their turn"
        server.stop()
        PeriodicWork(app, redis, failing, every=5).run_once()  # Redis gone: logged too


def test_a_stop_request_during_periodic_work_is_not_swallowed(app):
    """RQ raises StopRequested from its SIGTERM handler wherever the idle worker is; during
    the periodic work it must reach the worker loop, or the worker never stops."""
    with own_redis() as server:
        redis = Redis.from_url(server.url)

        def interrupted() -> None:
            raise StopRequested()

        with pytest.raises(StopRequested):
            PeriodicWork(app, redis, interrupted, every=5).run_once()
