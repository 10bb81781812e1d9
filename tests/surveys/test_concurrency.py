"""QUALITY R10: concurrent submissions on the real database (SQLite WAL or PostgreSQL)."""

from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from maturity.db import db
from surveys.responses.models import Response, ResponseStatus
from surveys.rounds.models import Participation
from tests.helpers import CSRF_PATTERN
from tests.surveys.journey_support import make_in_progress_response, open_round

DISTINCT = 200
REPEATS = 10
THREADS = 16


def _prepared_submission(app, token: str):
    """A client that has loaded the check page: its CSRF token and submission key."""
    client = app.test_client()
    page = client.get(f"/r/{token}/check").get_data(as_text=True)
    csrf = CSRF_PATTERN.search(page).group(1)
    key = page.split('name="submission_key" type="hidden" value="')[1].split('"')[0]
    return client, {"csrf_token": csrf, "submission_key": key}


def _submitted_count() -> int:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(sa.func.count()).where(Response.status == ResponseStatus.SUBMITTED)
    )


def test_two_hundred_distinct_submissions_at_once_all_count(app, world):
    survey = open_round(world)
    tokens = [
        make_in_progress_response(survey.participation, survey.version) for _ in range(DISTINCT)
    ]
    db.session.commit()
    prepared = [(token, *_prepared_submission(app, token)) for token in tokens]

    def post(entry):
        token, client, data = entry
        return client.post(f"/r/{token}/submit", data=data).status_code

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        statuses = list(pool.map(post, prepared))
    assert statuses == [302] * DISTINCT
    assert _submitted_count() == DISTINCT
    assert db.session.get(Participation, survey.participation.id).answers_version == DISTINCT


def test_the_same_submission_posted_ten_times_at_once_counts_once(app, world):
    survey = open_round(world)
    token = make_in_progress_response(survey.participation, survey.version)
    db.session.commit()
    client, data = _prepared_submission(app, token)
    cookie = client.get_cookie("placewise_session").value
    clients = []
    for _ in range(REPEATS):
        copy = app.test_client()
        copy.set_cookie("placewise_session", cookie)
        clients.append(copy)

    def post(copy):
        return copy.post(f"/r/{token}/submit", data=data).status_code

    with ThreadPoolExecutor(max_workers=REPEATS) as pool:
        statuses = list(pool.map(post, clients))
    assert statuses == [302] * REPEATS
    assert _submitted_count() == 1
    assert db.session.get(Participation, survey.participation.id).answers_version == 1
