"""The RQ worker, run in the app's context: `flask --app wsgi worker`.

Besides RQ's own scheduler, the worker runs periodic work (one worker at a time, under a
Redis lock) that the collection package registers: opening and closing rounds on time and
re-queuing results that are behind. The database, not Redis, is the record of what is due,
so a flushed or restarted Redis loses nothing.

The periodic work runs in the worker's own loop, between jobs, as one of its maintenance
tasks, never in a thread: RQ forks a work horse for every job and a scheduler process, and
a fork taken while another thread holds a lock (the import lock, logging's, a connection
pool's) leaves the child waiting on it forever.
"""

import _strptime  # noqa: F401  imported before any fork, as time.strptime does lazily
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from redis import Redis
from redis.exceptions import RedisError
from rq import Worker
from rq.exceptions import StopRequested

from maturity.db import db
from maturity.jobs.queue import queue_for

log = logging.getLogger(__name__)
PERIODIC_LOCK = "placewise:periodic-lock"


@dataclass
class PeriodicWork:
    """A task run every ``every`` seconds by one worker of all those sharing a Redis."""

    app: Flask
    redis: Redis
    task: Callable[[], None]
    every: int

    def run_once(self) -> None:
        """Run the task unless another worker ran it less than ``every`` seconds ago."""
        try:
            if not self.redis.set(PERIODIC_LOCK, "1", nx=True, ex=max(self.every - 1, 1)):
                return
            with self.app.app_context():
                self.task()
                db.session.remove()
        except StopRequested:
            raise  # SIGTERM arrived while the work ran: the worker must still stop
        except RedisError:
            log.warning("Redis unreachable; periodic work waits for it")
        except Exception:
            log.exception("Periodic work failed")


class AppWorker(Worker):
    """An RQ worker whose work horses get fresh database connections after the fork, and
    which runs the periodic work with its maintenance tasks."""

    periodic: PeriodicWork | None = None

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

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        if self.periodic is not None:
            self.periodic.run_once()
        if getattr(self, "_shutdown_requested_date", None) is not None:
            # SIGTERM arrived during the work above; RQ's StopRequested may have been raised
            # inside a database call and wrapped there, so stop on the record of it instead.
            raise StopRequested()


def run_worker(app: Flask, redis: Redis, *, burst: bool, periodic=None, every: int = 60) -> None:
    """Work the Placewise queue until stopped (or until it is empty, with ``burst``).

    While idle the worker wakes every ``every`` seconds for its maintenance tasks; while a
    job runs, the periodic work waits for it (or is done by another, idle worker).
    """
    worker = AppWorker(
        [queue_for(redis)],
        connection=redis,
        maintenance_interval=every,
        worker_ttl=every + 15,  # RQ blocks on the queue for worker_ttl - 15 seconds
    )
    if periodic and not burst:
        worker.periodic = PeriodicWork(app, redis, periodic, every)
    worker.work(with_scheduler=True, burst=burst)
