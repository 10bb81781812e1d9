"""While results are behind the answers, coordinator and convenor pages say they are updating."""

import re

import sqlalchemy as sa
from redis import Redis

from maturity.db import db
from surveys.jobs import reconcile
from surveys.results.status import participations_behind
from surveys.rounds.models import Participation
from tests.conftest import RequestIsolatingClient
from tests.helpers import CSRF_PATTERN, sign_in
from tests.jobs_support import app_with_redis, own_redis, work_queue
from tests.surveys.journey_support import make_in_progress_response, open_round

RESPONDENTS = 6
NOTICE = "Results updating – new responses are being added to the results"
UPDATING_TAG = '<strong class="govuk-tag govuk-tag--yellow">Updating</strong>'


def submit_responses(client_app, survey, count: int = RESPONDENTS) -> None:
    tokens = [make_in_progress_response(survey.participation, survey.version) for _ in range(count)]
    db.session.commit()
    client = client_app.test_client()
    for token in tokens:
        page = client.get(f"/r/{token}/check").get_data(as_text=True)
        csrf = CSRF_PATTERN.search(page).group(1)
        response = client.post(
            f"/r/{token}/submit", data={"csrf_token": csrf, "submission_key": token[:40]}
        )
        assert response.status_code == 302


def client_for(app_, user):
    app_.test_client_class = RequestIsolatingClient
    client = app_.test_client()
    assert sign_in(client, user.email).status_code == 302
    return client


def member_row(html: str, name: str) -> str:
    match = re.search(rf"<tr[^>]*>\s*<th[^>]*>{re.escape(name)}.*?</tr>", html, re.S)
    assert match, f"no row for {name}"
    return match.group(0)


def members_behind(survey) -> set[int]:
    db.session.expire_all()
    participations = db.session.scalars(
        sa.select(Participation).where(Participation.round_id == survey.round.id)
    ).all()
    assert len(participations) == 2
    return participations_behind(participations)


def test_pages_say_results_are_updating_until_the_worker_catches_up(app, world):
    with own_redis() as server:
        redis_app = app_with_redis(app, server.url)
        survey = open_round(world)
        coordinator_page = f"/o/home-council/rounds/{survey.round.id}"
        convenor_page = f"/c/home-partnership/rounds/{survey.round.id}"
        coordinator = client_for(redis_app, world.coordinator)
        convenor = client_for(redis_app, world.convenor)
        assert NOTICE not in coordinator.get(coordinator_page).get_data(as_text=True)
        assert NOTICE not in convenor.get(convenor_page).get_data(as_text=True)

        server.stop()
        submit_responses(redis_app, survey)  # submissions succeed; their jobs are dropped

        html = coordinator.get(coordinator_page).get_data(as_text=True)
        assert NOTICE in html
        html = convenor.get(convenor_page).get_data(as_text=True)
        assert NOTICE in html
        assert UPDATING_TAG in member_row(html, "Home Council")
        assert UPDATING_TAG not in member_row(html, "Peer Council"), "no submissions there"
        assert members_behind(survey) == {survey.participation.id}

        server.start()
        with redis_app.app_context():
            assert reconcile() == 1
        work_queue(redis_app, Redis.from_url(server.url))

        html = coordinator.get(coordinator_page).get_data(as_text=True)
        assert NOTICE not in html
        html = convenor.get(convenor_page).get_data(as_text=True)
        assert NOTICE not in html
        assert UPDATING_TAG not in member_row(html, "Home Council")
        assert members_behind(survey) == set()
        assert f'<td class="govuk-table__cell govuk-table__cell--numeric">{RESPONDENTS}</td>' in (
            member_row(html, "Home Council")
        )
