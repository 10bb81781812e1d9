"""Without Redis, a slow job (drawing a round's charts) runs in a thread beside the request
that asked for it, so that request answers at once; quick jobs still run right after it."""

import threading

from maturity.db import db
from maturity.jobs.queue import enqueue_after_commit
from tests.jobs_support import app_with_redis

STARTED = threading.Event()
RELEASE = threading.Event()
FINISHED = threading.Event()


def slow_job(_: int) -> None:
    STARTED.set()
    RELEASE.wait(timeout=30)
    FINISHED.set()


def test_a_slow_job_runs_beside_the_request_not_inside_it(app):
    embedded = app_with_redis(app, "")
    with embedded.test_request_context():
        enqueue_after_commit(slow_job, 1, job_id="slow-job-1", slow=True)
        db.session.commit()

        assert STARTED.wait(timeout=10), "the job started without waiting for the response"
        assert not FINISHED.is_set(), "and the request carries on while it runs"
        RELEASE.set()
        assert FINISHED.wait(timeout=10)


def test_a_rolled_back_slow_job_never_starts(app):
    embedded = app_with_redis(app, "")
    with embedded.test_request_context():
        enqueue_after_commit(slow_job, 2, job_id="slow-job-2", slow=True)
        STARTED.clear()
        db.session.rollback()
        assert not STARTED.wait(timeout=1)
