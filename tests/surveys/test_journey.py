"""The respondent's journey through the survey (DESIGN §7; QUALITY R3 storage side, R4, R6)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from maturity.accounts.models import Role
from maturity.db import db, utcnow
from surveys.responses.models import Answer, Response, ResponseStatus
from surveys.rounds.models import Participation, RoundState
from tests.conftest import table_snapshot
from tests.factories import RoleGrantFactory
from tests.helpers import CSRF_PATTERN, csrf_token, sign_in
from tests.surveys.journey_support import (
    full_answers,
    make_in_progress_response,
    make_invitation,
    open_round,
    section_form_data,
    sections,
    token_from,
)


@pytest.fixture
def survey(world):
    return open_round(world)


def start_anonymously(client, survey) -> str:
    token = csrf_token(client, survey.share_path)
    response = client.post(survey.share_path, data={"csrf_token": token})
    assert response.status_code == 302
    return token_from(response.headers["Location"])


def post_section(client, token, section, values, action="continue", csrf=None):
    path = f"/r/{token}/section/{section.key}"
    data = section_form_data(list(section.items), values)
    data["csrf_token"] = csrf if csrf is not None else csrf_token(client, path)
    data["action"] = action
    return client.post(path, data=data)


def stored_answers(response_id: int) -> dict[int, str]:
    rows = db.session.execute(
        sa.select(Answer.item_id, Answer.value).where(Answer.response_id == response_id)
    )
    return dict(rows.all())


def only_response() -> Response:
    db.session.expire_all()
    return db.session.scalars(sa.select(Response)).one()


def test_anonymous_link_start_page_explains_and_changes_nothing(client, survey):
    before = table_snapshot()
    page = client.get(survey.share_path)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "10 to 20 minutes" in text
    assert "at least 5 people" in text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert table_snapshot() == before


def test_anonymous_response_stores_no_person_and_coarse_times(client, survey):
    start_anonymously(client, survey)
    response = only_response()
    assert response.user_id is None and response.invitation_id is None
    for moment in (response.started_at, response.updated_at):
        assert (moment.minute, moment.second, moment.microsecond) == (0, 0, 0)
    columns = {c.name for c in Response.__table__.columns} | {
        c.name for c in Answer.__table__.columns
    }
    assert not any(c == "ip" or "address" in c or "agent" in c for c in columns)


def test_answers_are_saved_per_page_and_shown_again(client, survey):
    token = start_anonymously(client, survey)
    first = sections(survey.version)[1]
    values = full_answers(survey.version)
    result = post_section(client, token, first, values)
    assert result.status_code == 302
    assert result.headers["Location"].endswith(f"/section/{sections(survey.version)[2].key}")
    response = only_response()
    assert stored_answers(response.id) == {i.id: values[i.id] for i in first.items}
    page = client.get(f"/r/{token}/section/{first.key}").get_data(as_text=True)
    soup = BeautifulSoup(page, "html.parser")
    checked = {i["name"]: i["value"] for i in soup.select("input[type=radio][checked]")}
    assert checked == {f"item_{i.id}": values[i.id] for i in first.items}


def test_an_invalid_answer_is_refused_and_the_rest_kept_on_the_page(client, survey):
    token = start_anonymously(client, survey)
    section = sections(survey.version)[1]
    values = full_answers(survey.version)
    first, second = section.items[0], section.items[1]
    values[first.id] = "9"
    result = post_section(client, token, section, values)
    assert result.status_code == 400
    soup = BeautifulSoup(result.get_data(as_text=True), "html.parser")
    assert soup.select_one(".govuk-error-summary")
    assert soup.select_one(f"input[name=item_{second.id}][value='4']").has_attr("checked")
    assert stored_answers(only_response().id) == {}


def test_save_and_come_back_later_resumes_from_another_device(app, client, survey):
    token = start_anonymously(client, survey)
    section = sections(survey.version)[0]
    result = post_section(client, token, section, full_answers(survey.version), action="later")
    assert result.headers["Location"].endswith(f"/r/{token}/saved")
    saved = client.get(f"/r/{token}/saved").get_data(as_text=True)
    assert f"/r/{token}/tasks" in saved
    other_device = app.test_client()
    tasks = other_device.get(f"/r/{token}/tasks").get_data(as_text=True)
    assert "You have completed 1 of" in tasks


def test_the_same_device_is_offered_its_unfinished_response(client, survey):
    token = start_anonymously(client, survey)
    page = client.get(survey.share_path).get_data(as_text=True)
    assert f"/r/{token}/tasks" in page
    assert "Continue where you left off" in page


@pytest.mark.parametrize("stale", ["expired-token", "no-session"])
def test_a_stale_page_loses_nothing(app, client, survey, stale):
    """R6: an expired CSRF token or session re-renders every posted answer."""
    token = start_anonymously(client, survey)
    section = sections(survey.version)[1]
    values = full_answers(survey.version)
    poster = app.test_client() if stale == "no-session" else client
    page = f"/r/{token}/section/{section.key}"
    bad_token = "expired" if stale == "expired-token" else csrf_token(client, page)
    result = post_section(poster, token, section, values, csrf=bad_token)
    assert result.status_code == 400
    html = result.get_data(as_text=True)
    assert "open for a long time" in html
    soup = BeautifulSoup(html, "html.parser")
    for item in section.items:
        radio = soup.select_one(f"input[name=item_{item.id}][value='{values[item.id]}']")
        assert radio.has_attr("checked"), item.key
    assert CSRF_PATTERN.search(html), "a fresh token to save with"
    assert stored_answers(only_response().id) == {}
    retry = post_section(poster, token, section, values)
    assert retry.status_code == 302
    assert stored_answers(only_response().id) == {i.id: values[i.id] for i in section.items}


def answer_everything(client, token, survey) -> None:
    values = full_answers(survey.version)
    for section in sections(survey.version):
        assert post_section(client, token, section, values).status_code == 302


def submit(client, token, key="key-1", csrf=None):
    if csrf is None:
        page = client.get(f"/r/{token}/check").get_data(as_text=True)
        csrf = CSRF_PATTERN.search(page).group(1)
    return client.post(f"/r/{token}/submit", data={"csrf_token": csrf, "submission_key": key})


def test_check_answers_submit_and_confirmation(client, survey):
    token = start_anonymously(client, survey)
    answer_everything(client, token, survey)
    check = client.get(f"/r/{token}/check").get_data(as_text=True)
    assert "Check your answers before submitting" in check
    assert "Neither agree nor disagree" not in check and "Agree" in check
    result = submit(client, token)
    assert result.headers["Location"].endswith(f"/r/{token}/submitted")
    response = only_response()
    assert response.status == ResponseStatus.SUBMITTED
    assert response.submitted_at.minute == 0
    assert db.session.get(Participation, survey.participation.id).answers_version == 1
    confirmation = client.get(f"/r/{token}/submitted").get_data(as_text=True)
    assert "Answers submitted" in confirmation and "More joint budgets" in confirmation


def test_submitting_twice_counts_once_and_answers_cannot_change(client, survey):
    token = start_anonymously(client, survey)
    answer_everything(client, token, survey)
    csrf = csrf_token(client, f"/r/{token}/check")
    submit(client, token, "first", csrf)
    again = submit(client, token, "second", csrf)
    assert again.headers["Location"].endswith("/submitted")
    db.session.expire_all()
    assert db.session.get(Participation, survey.participation.id).answers_version == 1
    section = sections(survey.version)[1]
    late = post_section(client, token, section, {i.id: "1" for i in section.items}, csrf=csrf)
    assert late.headers["Location"].endswith("/submitted")
    assert set(stored_answers(only_response().id).values()) != {"1"}


def test_required_questions_must_be_answered_before_submitting(client, survey):
    token = start_anonymously(client, survey)
    check = client.get(f"/r/{token}/check").get_data(as_text=True)
    assert "Answer these questions first" in check and "Submit your answers" not in check
    csrf = csrf_token(client, f"/r/{token}/section/{sections(survey.version)[0].key}")
    result = submit(client, token, csrf=csrf)
    assert result.status_code == 400
    assert "before you submit" in result.get_data(as_text=True)
    assert only_response().status == ResponseStatus.IN_PROGRESS


def test_a_closed_round_takes_no_more_answers(client, survey):
    token = start_anonymously(client, survey)
    section = sections(survey.version)[1]
    csrf = csrf_token(client, f"/r/{token}/section/{section.key}")
    survey.round.state = RoundState.CLOSED
    db.session.commit()
    result = post_section(client, token, section, full_answers(survey.version), csrf=csrf)
    assert result.status_code == 410
    assert stored_answers(only_response().id) == {}


def test_an_invitation_link_starts_on_post_and_resumes_the_same_response(app, client, survey):
    token = make_invitation(survey.participation, "pat@example.org")
    db.session.commit()
    before = table_snapshot()
    assert client.get(f"/r/{token}/").status_code == 200
    assert table_snapshot() == before, "following a link changes nothing"
    start = client.post(f"/r/{token}/", data={"csrf_token": csrf_token(client, f"/r/{token}/")})
    assert start.headers["Location"].endswith(f"/r/{token}/tasks")
    response = only_response()
    assert response.invitation_id is not None
    post_section(client, token, sections(survey.version)[0], full_answers(survey.version))
    other_device = app.test_client()
    assert other_device.get(f"/r/{token}/").status_code == 302
    assert "completed 1 of" in other_device.get(f"/r/{token}/tasks").get_data(as_text=True)


def test_a_signed_in_respondent_starts_from_their_home_page(client, world, survey):
    sign_in(client, world.respondent.email)
    home = client.get("/").get_data(as_text=True)
    assert "Autumn test round" in home
    path = f"/survey/{survey.participation.id}/start"
    result = client.post(path, data={"csrf_token": csrf_token(client, "/")})
    assert result.status_code == 302
    response = only_response()
    assert response.user_id == world.respondent.id
    again = client.post(path, data={"csrf_token": csrf_token(client, "/")})
    assert token_from(again.headers["Location"]) != token_from(result.headers["Location"])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 1


def test_only_respondents_of_the_organisation_can_start_from_an_account(client, world, survey):
    sign_in(client, world.foreign_respondent.email)
    path = f"/survey/{survey.participation.id}/start"
    result = client.post(path, data={"csrf_token": csrf_token(client, "/")})
    assert result.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 0


def test_guessing_links_is_rate_limited(app, client, survey):
    statuses = [client.get(f"/r/guess-{n}/tasks").status_code for n in range(12)]
    assert statuses[:10] == [404] * 10
    assert statuses[-1] == 429
    assert app.test_client().get("/s/not-a-code").status_code in (404, 429)


def test_unknown_sections_and_links_are_not_found(client, survey):
    token = start_anonymously(client, survey)
    assert client.get(f"/r/{token}/section/nope").status_code == 404
    assert client.get("/s/unknown-code").status_code == 404


def test_respondent_grant_is_needed_for_the_home_panel(client, world, survey):
    RoleGrantFactory(user=world.coordinator, role=Role.RESPONDENT, organisation=world.peer)
    db.session.commit()
    sign_in(client, world.coordinator.email)
    home = client.get("/").get_data(as_text=True)
    assert "Your surveys" in home
    assert "Autumn test round" in home  # the peer council takes part in the same round


def test_a_response_started_before_the_round_closed_keeps_its_answers(client, survey):
    token = make_in_progress_response(survey.participation, survey.version)
    survey.round.closes_at = utcnow() + timedelta(hours=1)
    survey.round.state = RoundState.CLOSED
    db.session.commit()
    check = client.get(f"/r/{token}/check").get_data(as_text=True)
    assert "can no longer be submitted" in check
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) > 0
