"""The admin jobs page: the queue and its registries, retrying failed jobs, recent tasks."""

import re

import pytest
from redis import Redis

from maturity.db import db
from maturity.jobs.models import BackgroundTask, TaskStatus
from maturity.jobs.queue import queue_for
from tests.conftest import RequestIsolatingClient
from tests.helpers import post_form, sign_in
from tests.jobs_support import app_with_redis, own_redis, work_queue

JOBS = "/admin/jobs"
FAILING = f"{__name__}.fail_on_purpose"


def fail_on_purpose(number: int) -> None:
    """A job that always fails, as a broken job would."""
    raise ValueError(f"job {number} failed on purpose")


def admin_client(app_, world):
    app_.test_client_class = RequestIsolatingClient
    client = app_.test_client()
    assert sign_in(client, world.admin.email).status_code == 302
    return client


def enqueue_failing(redis: Redis, job_id: str, number: int) -> None:
    queue_for(redis).enqueue(FAILING, number, job_id=job_id)


def section(html: str, key: str) -> str:
    """The HTML of one table of the queue (waiting, started, scheduled, deferred, failed)."""
    match = re.search(rf'<table class="govuk-table" id="jobs-{key}">(.*?)</table>', html, re.S)
    assert match, f"no {key} section"
    return match.group(1)


def test_a_failed_job_is_listed_and_retrying_requeues_it(app, world):
    with own_redis() as server:
        redis_app = app_with_redis(app, server.url)
        redis = Redis.from_url(server.url)
        enqueue_failing(redis, "broken-job", 7)
        work_queue(redis_app, redis)
        assert queue_for(redis).failed_job_registry.get_job_ids() == ["broken-job"]

        client = admin_client(redis_app, world)
        html = client.get(JOBS).get_data(as_text=True)
        failed = section(html, "failed")
        assert "broken-job" in failed
        assert f"{FAILING}(7)" in failed
        assert "ValueError: job 7 failed on purpose" in failed
        assert "Traceback" not in failed, "only the last line of the exception"
        assert "broken-job" not in section(html, "waiting")

        response = post_form(client, f"{JOBS}/retry", {"job_id": "broken-job"}, page=JOBS)
        assert response.status_code == 302
        assert queue_for(redis).job_ids == ["broken-job"]
        assert queue_for(redis).failed_job_registry.get_job_ids() == []
        html = client.get(JOBS).get_data(as_text=True)
        assert "broken-job" in section(html, "waiting")
        assert "broken-job" not in section(html, "failed")
        assert "is back on the queue" in html


def test_retrying_a_job_that_is_not_failed_says_so(app, world):
    with own_redis() as server:
        redis_app = app_with_redis(app, server.url)
        client = admin_client(redis_app, world)
        response = post_form(client, f"{JOBS}/retry", {"job_id": "no-such-job"}, page=JOBS)
        assert response.status_code == 302
        html = client.get(JOBS).get_data(as_text=True)
        assert "Job no-such-job is no longer in the failed list" in html
        assert len(queue_for(Redis.from_url(server.url))) == 0


def test_retry_all_requeues_every_failed_job(app, world):
    with own_redis() as server:
        redis_app = app_with_redis(app, server.url)
        redis = Redis.from_url(server.url)
        enqueue_failing(redis, "broken-one", 1)
        enqueue_failing(redis, "broken-two", 2)
        work_queue(redis_app, redis)
        assert queue_for(redis).failed_job_registry.count == 2

        client = admin_client(redis_app, world)
        assert "Retry all failed jobs" in client.get(JOBS).get_data(as_text=True)
        response = post_form(client, f"{JOBS}/retry-all", page=JOBS)
        assert response.status_code == 302
        assert sorted(queue_for(redis).job_ids) == ["broken-one", "broken-two"]
        assert queue_for(redis).failed_job_registry.count == 0
        html = client.get(JOBS).get_data(as_text=True)
        assert "2 failed jobs back on the queue" in html
        assert "Retry all failed jobs" not in html


def test_without_redis_the_page_says_jobs_run_in_the_web_process(app, world):
    embedded_app = app_with_redis(app, "")
    client = admin_client(embedded_app, world)
    response = client.get(JOBS)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "jobs run in the web process; nothing is queued" in html
    assert 'id="jobs-failed"' not in html
    response = post_form(client, f"{JOBS}/retry-all", page=JOBS)
    assert response.status_code == 302
    assert "there is nothing to retry" in client.get(JOBS).get_data(as_text=True)


def test_with_redis_unreachable_the_page_says_so_and_never_fails(app, world):
    with own_redis() as server:
        redis_app = app_with_redis(app, server.url)
        client = admin_client(redis_app, world)
        assert 'id="jobs-failed"' in client.get(JOBS).get_data(as_text=True)
        server.stop()
        response = client.get(JOBS)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "Redis is configured but cannot be reached" in html
        assert 'id="jobs-failed"' not in html
        for path, data in ((f"{JOBS}/retry", {"job_id": "x"}), (f"{JOBS}/retry-all", {})):
            response = post_form(client, path, data, page=JOBS)
            assert response.status_code == 302, path
        assert "Redis cannot be reached" in client.get(JOBS).get_data(as_text=True)


def test_the_newest_tasks_are_listed_with_who_asked_and_progress(app, world):
    db.session.add_all(
        [
            BackgroundTask(
                kind="recompute_round",
                description="Recompute the results of Spring",
                requested_by_id=world.convenor.id,
                collaborative_id=world.collaborative.id,
                status=TaskStatus.RUNNING,
                done=3,
                total=4,
            ),
            BackgroundTask(kind="nightly", description="Nightly tidy-up", status=TaskStatus.FAILED),
        ]
    )
    db.session.commit()
    html = admin_client(app, world).get(JOBS).get_data(as_text=True)
    assert "Recompute the results of Spring" in html
    assert world.convenor.email in html
    assert "3 of 4 (75%)" in html
    assert "Running" in html
    assert "Nightly tidy-up" in html and "Failed" in html
    assert html.index("Nightly tidy-up") < html.index("Recompute the results of Spring")


def test_the_admin_navigation_links_to_the_jobs_page(app, world):
    html = admin_client(app, world).get("/admin/").get_data(as_text=True)
    assert f'href="{JOBS}"' in html


@pytest.mark.parametrize("who", ["convenor", "coordinator", "respondent"])
def test_people_who_are_not_admins_get_404(app, world, who):
    with own_redis() as server:
        redis_app = app_with_redis(app, server.url)
        redis = Redis.from_url(server.url)
        enqueue_failing(redis, "broken-job", 7)
        work_queue(redis_app, redis)
        redis_app.test_client_class = RequestIsolatingClient
        client = redis_app.test_client()
        assert sign_in(client, getattr(world, who).email).status_code == 302
        assert client.get(JOBS).status_code == 404
        for path, data in ((f"{JOBS}/retry", {"job_id": "broken-job"}), (f"{JOBS}/retry-all", {})):
            assert post_form(client, path, data, page="/account").status_code == 404, path
        assert queue_for(redis).failed_job_registry.get_job_ids() == ["broken-job"]
