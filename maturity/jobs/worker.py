"""The RQ worker, run in the app's context: `flask --app wsgi worker`.

Besides RQ's own scheduler, the worker runs a periodic task (one worker at a time, under a
Redis lock) that the collection package registers: opening and closing rounds on time and
re-queuing results that are behind. The database, not Redis, is the record of what is due,
so a flushed or restarted Redis loses nothing.
"""

import logging
import os
import threading
from collections.abc import Callable

from flask import Flask
from redis import Redis
from redis.exceptions import RedisError
from rq import Worker

from maturity.db import db
from maturity.jobs.queue import queue_for

log = logging.getLogger(__name__)
PERIODIC_LOCK = "placewise:periodic-lock"


class AppWorker(Worker):
    """An RQ worker whose work horses get fresh database connections after the fork."""

    def perform_job(self, job, queue, *args, **kwargs):
        db.engine.dispose(close=False)
        db.session.remove()
        # Which process runs the job, for whoever looks after the workers.
        job.meta["horse_pid"] = os.getpid()
        job.save_meta()
        try:
            return super().perform_job(job, queue, *args, **kwargs)
        finally:
            db.session.remove()


def _run_periodic_once(app: Flask, redis: Redis, task: Callable[[], None], every: int) -> None:
    try:
        if not redis.set(PERIODIC_LOCK, "1", nx=True, ex=max(every - 1, 1)):
            return
        with app.app_context():
            task()
            db.session.remove()
    except RedisError:
        log.warning("Redis unreachable; periodic work waits for it")
    except Exception:
        log.exception("Periodic work failed")


def start_periodic(
    app: Flask, redis: Redis, task: Callable[[], None], every: int
) -> threading.Event:
    """Run ``task`` every ``every`` seconds in a daemon thread; set the event to stop."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            _run_periodic_once(app, redis, task, every)
            stop.wait(every)

    threading.Thread(target=loop, name="placewise-periodic", daemon=True).start()
    return stop


def run_worker(app: Flask, redis: Redis, *, burst: bool, periodic=None, every: int = 60) -> None:
    """Work the Placewise queue until stopped (or until it is empty, with ``burst``)."""
    stop = start_periodic(app, redis, periodic, every) if periodic and not burst else None
    try:
        AppWorker([queue_for(redis)], connection=redis).work(with_scheduler=True, burst=burst)
    finally:
        if stop is not None:
            stop.set()
