"""A convenor recomputes a round's results and watches a progress page that needs no JS."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from redis import Redis

import surveys.jobs
from maturity.db import db, utcnow
from maturity.frameworks.services import install_default_framework
from maturity.jobs.models import BackgroundTask, TaskStatus
from maturity.jobs.queue import queue_for
from surveys.jobs import start_round_recompute
from surveys.rounds.services import create_round
from tests.conftest import RequestIsolatingClient
from tests.helpers import post_form, sign_in
from tests.jobs_support import app_with_redis, own_redis, work_queue
from tests.surveys.journey_support import open_round

REFRESH = '<meta http-equiv="refresh" content="2">'
TASK_URL = re.compile(r"/c/home-partnership/rounds/(\d+)/tasks/(\d+)$")


def client_for(app_, user):
    app_.test_client_class = RequestIsolatingClient
    client = app_.test_client()
    assert sign_in(client, user.email).status_code == 302
    return client


def round_url(survey) -> str:
    return f"/c/home-partnership/rounds/{survey.round.id}"


def start_recompute(client, survey) -> str:
    """Press "Recompute results" on the round page; return the task page's path."""
    page = round_url(survey)
    assert "Recompute results" in client.get(page).get_data(as_text=True)
    response = post_form(client, f"{page}/recompute", page=page)
    assert response.status_code == 302
    match = TASK_URL.search(response.location)
    assert match, response.location
    assert int(match.group(1)) == survey.round.id
    return match.group(0)


def task(task_id: int) -> BackgroundTask:
    db.session.expire_all()
    return db.session.get(BackgroundTask, task_id)


def task_id_of(path: str) -> int:
    return int(path.rsplit("/", 1)[1])


def progress(html: str) -> tuple[int, int]:
    match = re.search(r'<progress[^>]*max="(\d+)" value="(\d+)"', html)
    assert match, "no progress element"
    return int(match.group(2)), int(match.group(1))


def test_with_embedded_jobs_the_task_page_shows_the_recompute_finished(app, world):
    embedded_app = app_with_redis(app, "")
    survey = open_round(world)  # two members: the home council and its peer
    client = client_for(embedded_app, world.convenor)
    path = start_recompute(client, survey)

    recorded = task(task_id_of(path))
    assert recorded.status == TaskStatus.FINISHED
    assert recorded.requested_by_id == world.convenor.id
    assert (recorded.done, recorded.total) == (3, 3)
    html = client.get(path).get_data(as_text=True)
    assert "Finished" in html
    assert "2 of 2 members (100%)" in html
    assert progress(html) == (3, 3)
    assert REFRESH not in html, "a finished task stops refreshing"
    assert f'href="{round_url(survey)}"' in html


def test_with_redis_the_task_goes_from_queued_to_finished_showing_progress(app, world, monkeypatch):
    with own_redis() as server:
        redis_app = app_with_redis(app, server.url)
        redis = Redis.from_url(server.url)
        survey = open_round(world)
        client = client_for(redis_app, world.convenor)
        path = start_recompute(client, survey)
        task_id = task_id_of(path)
        assert queue_for(redis).job_ids == [f"recompute-round-{survey.round.id}"]

        assert task(task_id).status == TaskStatus.QUEUED
        html = client.get(path).get_data(as_text=True)
        assert "Waiting to start" in html
        assert REFRESH in html

        # Look at the page while the worker runs: after every member, before the benchmarks.
        pages_while_running: list[str] = []
        replace_benchmarks = surveys.jobs.replace_benchmarks

        def look_then_replace(*args):
            pages_while_running.append(client.get(path).get_data(as_text=True))
            return replace_benchmarks(*args)

        monkeypatch.setattr(surveys.jobs, "replace_benchmarks", look_then_replace)
        work_queue(redis_app, redis)

        (running,) = pages_while_running
        assert "Running" in running
        assert "2 of 2 members (67%)" in running
        assert progress(running) == (2, 3)
        assert REFRESH in running, "a running task keeps refreshing"

        assert task(task_id).status == TaskStatus.FINISHED
        html = client.get(path).get_data(as_text=True)
        assert "2 of 2 members (100%)" in html
        assert REFRESH not in html


def foreign_round_id(world) -> int:
    version = install_default_framework(world.foreign_collaborative)
    now = utcnow()
    round_ = create_round(
        world.foreign_collaborative,
        version,
        "Foreign round",
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=30),
        actor_id=None,
    )
    db.session.commit()
    return round_.id


def test_a_convenor_of_another_collaborative_gets_404(app, world):
    embedded_app = app_with_redis(app, "")
    survey = open_round(world)
    home_path = start_recompute(client_for(embedded_app, world.convenor), survey)
    home_task_id = task_id_of(home_path)
    other_round_id = foreign_round_id(world)
    stranger = client_for(embedded_app, world.foreign_convenor)

    own_page = f"/c/foreign-network/rounds/{other_round_id}"
    own_task_path = start_recompute_at(stranger, own_page)
    assert stranger.get(own_task_path).status_code == 200, "the stranger's own task is reachable"

    assert stranger.get(home_path).status_code == 404
    assert stranger.get(f"{own_page}/tasks/{home_task_id}").status_code == 404
    tasks_before = db.session.scalar(sa.select(sa.func.count()).select_from(BackgroundTask))
    response = post_form(stranger, f"{round_url(survey)}/recompute", page=own_page)
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BackgroundTask)) == tasks_before


def start_recompute_at(client, page: str) -> str:
    response = post_form(client, f"{page}/recompute", page=page)
    assert response.status_code == 302
    return response.location


@pytest.mark.parametrize(
    ("status", "done", "total", "refreshes"),
    [
        (TaskStatus.QUEUED, 0, 0, True),
        (TaskStatus.RUNNING, 1, 3, True),
        (TaskStatus.FINISHED, 3, 3, False),
        (TaskStatus.FAILED, 1, 3, False),
    ],
)
def test_the_progress_page_refreshes_only_while_the_work_runs(
    app, world, status, done, total, refreshes
):
    survey = open_round(world)
    recorded = BackgroundTask(
        kind="recompute_round",
        description="Recompute the results of Autumn test round",
        collaborative_id=world.collaborative.id,
        status=status,
        done=done,
        total=total,
    )
    db.session.add(recorded)
    db.session.commit()
    client = client_for(app, world.convenor)
    response = client.get(f"{round_url(survey)}/tasks/{recorded.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert (REFRESH in html) is refreshes
    back_link = f">Back to {survey.round.name}</a>"
    assert (back_link in html) is not refreshes


def test_asking_again_while_a_recompute_waits_returns_the_same_task(world):
    survey = open_round(world)
    first = start_round_recompute(survey.round, None)
    again = start_round_recompute(survey.round, None)
    assert again.id == first.id
