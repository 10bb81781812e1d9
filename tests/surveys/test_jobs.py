"""Aggregation jobs in both modes, after commit only (R11), surviving Redis outages (R13)."""

import os

import pytest
import sqlalchemy as sa
from redis import Redis
from rq.exceptions import InvalidJobOperation

from maturity.db import db
from maturity.jobs import queue as job_queue
from maturity.jobs.queue import queue_for
from maturity.results.models import BenchmarkResult, DimensionResult, ParticipationResult
from surveys.jobs import (
    reconcile,
    request_participation_results,
    stale_benchmark_round_ids,
    stale_participation_ids,
)
from surveys.results.status import results_are_current
from surveys.rounds.models import Participation
from tests.helpers import CSRF_PATTERN
from tests.jobs_support import app_with_redis, own_redis, work_queue
from tests.surveys.journey_support import make_in_progress_response, open_round

RESPONDENTS = 6  # above the default minimum group size of 5


@pytest.fixture(scope="module")
def embedded_app(app):
    return app_with_redis(app, "")


def submit_all(client_app, survey, count: int = RESPONDENTS) -> None:
    tokens = [make_in_progress_response(survey.participation, survey.version) for _ in range(count)]
    db.session.commit()
    client = client_app.test_client()
    for token in tokens:
        page = client.get(f"/r/{token}/check").get_data(as_text=True)
        csrf = CSRF_PATTERN.search(page).group(1)
        result = client.post(
            f"/r/{token}/submit", data={"csrf_token": csrf, "submission_key": token[:40]}
        )
        assert result.status_code == 302


def participation(survey) -> Participation:
    db.session.expire_all()
    return db.session.get(Participation, survey.participation.id)


def stored_result(survey) -> ParticipationResult | None:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(ParticipationResult).where(
            ParticipationResult.participation_id == survey.participation.id
        )
    ).first()


def assert_results_fresh(survey) -> None:
    result = stored_result(survey)
    assert result is not None
    assert result.n_submitted == RESPONDENTS
    assert result.computed_from_version == participation(survey).answers_version == RESPONDENTS
    assert not result.suppressed
    means = db.session.scalars(
        sa.select(DimensionResult.mean).where(
            DimensionResult.participation_id == survey.participation.id,
            DimensionResult.segment == "all",
        )
    ).all()
    assert len(means) == len(survey.version.dimensions) and all(m is not None for m in means)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BenchmarkResult)) > 0
    assert results_are_current(participation(survey))


def test_in_process_jobs_compute_results_right_after_each_submission(embedded_app, world):
    survey = open_round(world)
    submit_all(embedded_app, survey)
    assert_results_fresh(survey)


def machine_redis_url(app) -> str:
    url = app.config["REDIS_URL"]
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI must run the job tests against Redis (REDIS_URL)")
        pytest.skip("REDIS_URL is not set")
    return url


def test_with_redis_a_worker_computes_the_results(app, world):
    redis_app = app_with_redis(app, machine_redis_url(app))
    redis = redis_app.extensions["redis"]
    queue_for(redis).empty()
    survey = open_round(world)
    submit_all(redis_app, survey)
    assert stored_result(survey) is None, "nothing runs before a worker does"
    assert len(queue_for(redis)) == 1, "six submissions coalesce into one queued job"
    work_queue(redis_app, redis)
    assert_results_fresh(survey)


def test_a_rolled_back_transaction_enqueues_nothing_in_process(embedded_app, world, monkeypatch):
    survey = open_round(world)
    ran = []
    monkeypatch.setattr(job_queue, "run_now", lambda app, request: ran.append(request.job_id))
    with embedded_app.app_context():
        request_participation_results(survey.participation.id)
        db.session.rollback()
        assert ran == []
        request_participation_results(survey.participation.id)
        db.session.commit()
    assert ran == [f"recompute-participation-{survey.participation.id}"]


def test_a_rolled_back_transaction_enqueues_nothing_on_redis(app, world):
    with own_redis() as server:
        redis_app = app_with_redis(app, server.url)
        redis = Redis.from_url(server.url)
        survey = open_round(world)
        with redis_app.app_context():
            request_participation_results(survey.participation.id)
            assert len(queue_for(redis)) == 0, "not before commit"
            db.session.rollback()
            assert len(queue_for(redis)) == 0
            request_participation_results(survey.participation.id)
            db.session.commit()
            assert queue_for(redis).job_ids == [
                f"recompute-participation-{survey.participation.id}"
            ]


def test_submissions_while_redis_is_down_are_caught_up_when_it_returns(app, world):
    with own_redis() as server:
        redis_app = app_with_redis(app, server.url)
        survey = open_round(world)
        server.stop()
        submit_all(redis_app, survey)  # every submission still succeeds
        assert participation(survey).answers_version == RESPONDENTS
        assert stored_result(survey) is None
        assert not results_are_current(participation(survey))
        assert survey.participation.id in stale_participation_ids()
        server.start()
        redis = Redis.from_url(server.url)
        with redis_app.app_context():
            assert reconcile() >= 1
        work_queue(redis_app, redis)
        assert_results_fresh(survey)
        assert stale_participation_ids() == []


def test_work_lost_when_redis_is_flushed_is_caught_up(app, world):
    with own_redis() as server:
        redis_app = app_with_redis(app, server.url)
        redis = Redis.from_url(server.url)
        survey = open_round(world)
        submit_all(redis_app, survey)
        assert len(queue_for(redis)) == 1
        redis.flushall()
        work_queue(redis_app, redis)
        assert stored_result(survey) is None
        with redis_app.app_context():
            reconcile()
        work_queue(redis_app, redis)
        assert_results_fresh(survey)


def test_a_trigger_while_the_job_runs_queues_one_follow_up(app, world):
    with own_redis() as server:
        redis_app = app_with_redis(app, server.url)
        redis = Redis.from_url(server.url)
        survey = open_round(world)
        job_id = f"recompute-participation-{survey.participation.id}"
        with redis_app.app_context():
            request_participation_results(survey.participation.id)
            db.session.commit()
            queue_for(redis).fetch_job(job_id).set_status("started")
            for _ in range(3):
                request_participation_results(survey.participation.id)
                db.session.commit()
        assert queue_for(redis).job_ids == [job_id, f"{job_id}-again"]


def test_reconcile_queues_benchmarks_that_missed_a_member(app, world):
    with own_redis() as server:
        redis_app = app_with_redis(app, server.url)
        redis = Redis.from_url(server.url)
        survey = open_round(world)
        submit_all(redis_app, survey)
        work_queue(redis_app, redis)
        assert stale_benchmark_round_ids() == []
        db.session.execute(sa.update(DimensionResult).values(rank=None))
        db.session.commit()
        assert stale_benchmark_round_ids() == [survey.round.id]
        with redis_app.app_context():
            reconcile()
        assert f"recompute-benchmarks-{survey.round.id}" in queue_for(redis).job_ids
        work_queue(redis_app, redis)
        assert stale_benchmark_round_ids() == []


def test_a_race_over_the_same_job_id_never_fails_the_request(app, world, monkeypatch):
    """Two web processes re-queue the same finished job at once: the loser finds the id
    taken when it queues. The submission it answers for must still succeed."""
    with own_redis() as server:
        redis_app = app_with_redis(app, server.url)
        queue = queue_for(Redis.from_url(server.url))
        survey = open_round(world)
        job_id = f"recompute-participation-{survey.participation.id}"
        with redis_app.app_context():
            request_participation_results(survey.participation.id)
            db.session.commit()
        finished = queue.fetch_job(job_id)
        queue.remove(finished)
        finished.set_status("finished")
        real_enqueue = job_queue._enqueue

        def enqueue_racing_another_process(queue, request, job_id):
            if queue.fetch_job(job_id) is None:
                real_enqueue(queue, request, job_id)  # the other process got there first
            raise job_queue.DuplicateJobError(job_id)

        monkeypatch.setattr(job_queue, "_enqueue", enqueue_racing_another_process)
        submit_all(redis_app, survey)
        assert queue.job_ids == [job_id]


def test_any_queueing_error_after_commit_is_left_for_the_reconciler(app, world, monkeypatch):
    with own_redis() as server:
        redis_app = app_with_redis(app, server.url)
        survey = open_round(world)

        def broken(queue, request, job_id=None):
            raise InvalidJobOperation("job is being deleted")

        monkeypatch.setattr(job_queue, "_enqueue_coalesced", broken)
        submit_all(redis_app, survey)
        assert participation(survey).answers_version == RESPONDENTS
        assert stale_participation_ids() == [survey.participation.id]
