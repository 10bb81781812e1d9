"""What the queue holds, for the admin jobs page: RQ's queue and registries, read-only
except for requeuing failed jobs, and the newest background tasks with their progress.

Every read copes with Redis being absent (the embedded mode) or unreachable: the page
says so instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from redis import Redis
from redis.exceptions import RedisError
from rq.exceptions import DeserializationError, InvalidJobOperation, NoSuchJobError
from rq.job import Job
from rq.registry import BaseRegistry

from maturity.accounts.models import User
from maturity.db import db
from maturity.errors import DomainError
from maturity.jobs.models import BackgroundTask
from maturity.jobs.queue import queue_for

SHOWN_PER_SECTION = 100
ARGUMENTS_SHOWN = 200


class QueueMode(StrEnum):
    EMBEDDED = "embedded"  # no REDIS_URL: jobs run in the web process
    UNREACHABLE = "unreachable"  # REDIS_URL is set but Redis does not answer
    CONNECTED = "connected"


@dataclass(frozen=True)
class JobRow:
    """One RQ job as the admin sees it."""

    job_id: str
    function: str
    arguments: str
    enqueued_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    error: str = ""  # the last line of the exception, for failed jobs


@dataclass(frozen=True)
class JobSection:
    """The queue or one of its registries: how many jobs it holds and the newest of them."""

    key: str
    title: str
    count: int
    jobs: list[JobRow]


@dataclass(frozen=True)
class QueueReport:
    """The queue's state, or why it cannot be read."""

    mode: QueueMode
    sections: list[JobSection] = field(default_factory=list)

    @property
    def failed_count(self) -> int:
        return sum(s.count for s in self.sections if s.key == "failed")


@dataclass(frozen=True)
class TaskRow:
    """A background task and the email of whoever asked for it."""

    task: BackgroundTask
    requested_by: str | None


def _last_line(text: str | None) -> str:
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def _error_of(job: Job) -> str:
    result = job.latest_result()
    return _last_line(result.exc_string if result is not None else None)


def _arguments(job: Job) -> str:
    parts = [repr(a) for a in job.args] + [f"{k}={v!r}" for k, v in job.kwargs.items()]
    text = ", ".join(parts)
    return text if len(text) <= ARGUMENTS_SHOWN else text[: ARGUMENTS_SHOWN - 1] + "…"


def _row(job: Job, *, with_error: bool) -> JobRow:
    try:
        function, arguments = job.func_name or "", _arguments(job)
    except DeserializationError:
        function, arguments = "(unreadable)", ""
    return JobRow(
        job_id=job.id,
        function=function,
        arguments=arguments,
        enqueued_at=job.enqueued_at,
        started_at=job.started_at,
        ended_at=job.ended_at,
        error=_error_of(job) if with_error else "",
    )


def _rows(redis: Redis, job_ids: list[str], *, with_error: bool = False) -> list[JobRow]:
    jobs = Job.fetch_many(job_ids, connection=redis)
    return [_row(job, with_error=with_error) for job in jobs if job is not None]


def _registry_section(
    redis: Redis, key: str, title: str, registry: BaseRegistry, *, newest_first: bool = False
) -> JobSection:
    ids = registry.get_job_ids(0, SHOWN_PER_SECTION - 1, desc=newest_first)
    rows = _rows(redis, ids, with_error=key == "failed")
    return JobSection(key, title, registry.count, rows)


def _sections(redis: Redis) -> list[JobSection]:
    queue = queue_for(redis)
    waiting = JobSection(
        "waiting",
        "Waiting",
        queue.count,
        _rows(redis, queue.get_job_ids(0, SHOWN_PER_SECTION)),
    )
    return [
        waiting,
        _registry_section(redis, "started", "Running", queue.started_job_registry),
        _registry_section(redis, "scheduled", "Scheduled", queue.scheduled_job_registry),
        _registry_section(redis, "deferred", "Deferred", queue.deferred_job_registry),
        _registry_section(redis, "failed", "Failed", queue.failed_job_registry, newest_first=True),
    ]


def read_queue(redis: Redis | None) -> QueueReport:
    """The Placewise queue's waiting jobs and registries, or why they cannot be read."""
    if redis is None:
        return QueueReport(QueueMode.EMBEDDED)
    try:
        return QueueReport(QueueMode.CONNECTED, _sections(redis))
    except RedisError:
        return QueueReport(QueueMode.UNREACHABLE)


def _require(redis: Redis | None) -> Redis:
    if redis is None:
        raise DomainError("Jobs run in the web process, so there is nothing to retry")
    return redis


def retry_failed_job(redis: Redis | None, job_id: str) -> None:
    """Put one failed job back on the queue."""
    registry = queue_for(_require(redis)).failed_job_registry
    try:
        registry.requeue(job_id)
    except (NoSuchJobError, InvalidJobOperation):
        raise DomainError(f"Job {job_id} is no longer in the failed list") from None
    except RedisError:
        raise DomainError("Redis cannot be reached, so the job was not retried") from None


def retry_all_failed(redis: Redis | None) -> int:
    """Put every failed job back on the queue; return how many were requeued."""
    registry = queue_for(_require(redis)).failed_job_registry
    requeued = 0
    try:
        for job_id in registry.get_job_ids():
            try:
                registry.requeue(job_id)
            except (NoSuchJobError, InvalidJobOperation):
                continue  # retried or expired meanwhile
            requeued += 1
    except RedisError:
        raise DomainError("Redis cannot be reached, so failed jobs were not retried") from None
    return requeued


def recent_tasks(limit: int = 50) -> list[TaskRow]:
    """The newest background tasks, with the email of whoever asked for each."""
    rows = db.session.execute(
        sa.select(BackgroundTask, User.email)
        .outerjoin(User, User.id == BackgroundTask.requested_by_id)
        .order_by(BackgroundTask.id.desc())
        .limit(limit)
    ).all()
    return [TaskRow(task, email) for task, email in rows]
