"""Enqueue jobs after the caller's transaction commits: on RQ when Redis is configured,
in-process right after the request otherwise (the embedded default of `make run`).

Jobs are plain functions named ``verb_noun`` that take ids. Each request names a
deterministic job id, so repeated triggers coalesce: while a job with that id waits in the
queue, another trigger adds nothing; while it runs, one follow-up is queued behind it. If
Redis cannot be reached the trigger is logged and dropped: the reconciler (see
``surveys.jobs``) finds work whose results are behind and queues it again.
"""

import importlib
import logging
import threading
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from flask import Flask, after_this_request, current_app, has_request_context
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError, InvalidJobOperation, NoSuchJobError
from rq.job import Job, JobStatus

from maturity.db import call_after_commit
from maturity.extensions import get_redis

log = logging.getLogger(__name__)

QUEUE_NAME = "placewise"
JOB_TIMEOUT_SECONDS = 30 * 60
RETRY = Retry(max=3, interval=[5, 30, 120])
WAITING = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


@dataclass(frozen=True)
class JobRequest:
    """A job to run: the function's dotted path, its id arguments, its deterministic id, and
    whether it is slow (without Redis, slow jobs run in a thread of their own, so the request
    that asked does not wait for them)."""

    function: str
    args: tuple
    job_id: str
    slow: bool = False


def job_path(function: Callable) -> str:
    """The dotted path RQ imports a job function by."""
    return f"{function.__module__}.{function.__name__}"


def resolve(path: str) -> Callable:
    """The function named by a dotted path."""
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def queue_for(redis: Redis) -> Queue:
    """Placewise's RQ queue."""
    return Queue(QUEUE_NAME, connection=redis)


def enqueue_after_commit(function: Callable, *args: int, job_id: str, slow: bool = False) -> None:
    """Run ``function(*args)`` in the background once the current transaction commits."""
    request = JobRequest(job_path(function), args, job_id, slow)
    app = current_app._get_current_object()
    call_after_commit(lambda: dispatch(app, request))


def dispatch(app: Flask, request: JobRequest) -> None:
    """Hand a job to RQ, or run it in-process when there is no Redis."""
    redis = app.extensions.get("redis")
    if redis is None:
        _run_in_process_soon(app, request)
        return
    try:
        _enqueue_coalesced(queue_for(redis), request)
    except RedisError:
        log.warning("Redis unreachable; %s left for the reconciler", request.job_id)
    except Exception:
        # The transaction has committed: whatever went wrong while queueing, the request
        # that asked must still succeed, and the reconciler will find the work.
        log.exception("Could not queue %s; left for the reconciler", request.job_id)


def _enqueue(queue: Queue, request: JobRequest, job_id: str) -> None:
    queue.enqueue(
        request.function,
        *request.args,
        job_id=job_id,
        unique=True,
        retry=RETRY,
        job_timeout=JOB_TIMEOUT_SECONDS,
        result_ttl=600,
        failure_ttl=7 * 24 * 3600,
    )


def _enqueue_coalesced(queue: Queue, request: JobRequest, job_id: str | None = None) -> None:
    job_id = job_id or request.job_id
    try:
        _enqueue(queue, request, job_id)
        return
    except DuplicateJobError:
        pass
    try:
        status = Job.fetch(job_id, connection=queue.connection).get_status(refresh=True)
    except NoSuchJobError:
        status = None
    if status in WAITING:
        return
    if status == JobStatus.STARTED:
        if job_id == request.job_id:
            _enqueue_coalesced(queue, request, f"{request.job_id}-again")
        return
    try:
        Job(job_id, connection=queue.connection).delete()
        _enqueue(queue, request, job_id)
    except (DuplicateJobError, InvalidJobOperation):
        # Another process queued the same job between our checks: that one will do.
        log.info("%s was queued by another process at the same moment", job_id)


def run_now(app: Flask, request: JobRequest) -> None:
    """Run a job in this process, in an app context (and a database session) of its own."""
    with app.app_context():
        resolve(request.function)(*request.args)


# Jobs waiting to run in this request; set while a drain is scheduled or running, so jobs
# that jobs enqueue run in the same drain, in order.
_pending: ContextVar[list[JobRequest] | None] = ContextVar("placewise_pending", default=None)
# Across the threads of this process: the job ids running now, and those asked for again
# while running. A thread that finds its job running leaves it to the running thread, which
# runs it once more afterwards, so concurrent triggers coalesce as they do on RQ.
_running: set[str] = set()
_asked_again: set[str] = set()
_running_lock = threading.Lock()


def _claim(job_id: str) -> bool:
    with _running_lock:
        if job_id in _running:
            _asked_again.add(job_id)
            return False
        _running.add(job_id)
        return True


def _release_or_rerun(job_id: str) -> bool:
    with _running_lock:
        if job_id in _asked_again:
            _asked_again.discard(job_id)
            return True
        _running.discard(job_id)
        return False


def _run_coalesced(app: Flask, request: JobRequest) -> None:
    if not _claim(request.job_id):
        return
    again = True
    while again:
        try:
            run_now(app, request)
        except Exception:
            log.exception("In-process job %s failed", request.job_id)
        again = _release_or_rerun(request.job_id)


def _drain(app: Flask, pending: list[JobRequest]) -> None:
    try:
        while pending:
            _run_coalesced(app, pending.pop(0))
    finally:
        _pending.set(None)


def _run_in_process_soon(app: Flask, request: JobRequest) -> None:
    if request.slow and has_request_context():
        _run_in_a_thread(app, request)
        return
    pending = _pending.get()
    if pending is not None:
        if request not in pending:
            pending.append(request)
        return
    pending = [request]
    _pending.set(pending)
    if not has_request_context():
        _drain(app, pending)
        return

    @after_this_request
    def _drain_after_request(response):
        _drain(app, pending)
        return response


def _run_in_a_thread(app: Flask, request: JobRequest) -> threading.Thread:
    """Run a slow job beside the request (coalesced with any run of it already going)."""
    thread = threading.Thread(
        target=_run_coalesced, args=(app, request), name=request.job_id, daemon=True
    )
    thread.start()
    return thread


def redis_reachable() -> bool:
    """Whether the configured Redis answers (False when there is none)."""
    redis = get_redis()
    if redis is None:
        return False
    try:
        return bool(redis.ping())
    except RedisError:
        return False
