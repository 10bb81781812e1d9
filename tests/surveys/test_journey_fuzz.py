"""QUALITY R9 for the survey pages, and R7 for answers: any input, no 5xx, nothing executable."""

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import csrf_token
from tests.surveys.journey_support import full_answers, open_round, sections, token_from

XSS_CORPUS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "<svg onload=alert(1)>",
    '"><script>alert(1)</script>',
]
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
values = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["1", "4", "5", "9", "-1", "dont_know", "", " ", "1e309", "NaN", "\x00"]),
    st.lists(st.text(max_size=20), max_size=3),
)


def assert_nothing_executable(html: str) -> None:
    """No script but our own files and nonce'd module, no on* attribute, no script URL."""
    soup = BeautifulSoup(html, "html.parser")
    for script in soup.find_all("script"):
        assert script.get("src", "").startswith("/static/") or script.get("nonce"), script
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on"), tag
            text = " ".join(value) if isinstance(value, list) else str(value)
            if name in ("href", "src", "action", "formaction"):
                assert not text.strip().lower().startswith(("javascript:", "data:")), tag


@pytest.fixture
def started(client, world):
    survey = open_round(world)
    token = csrf_token(client, survey.share_path)
    location = client.post(survey.share_path, data={"csrf_token": token}).headers["Location"]
    return survey, token_from(location)


def test_any_section_post_is_answered_without_a_server_error(client, started):
    survey, token = started
    section = sections(survey.version)[1]
    path = f"/r/{token}/section/{section.key}"
    csrf = csrf_token(client, path)
    names = [f"item_{item.id}" for item in section.items] + ["action", "unexpected"]

    @FUZZ
    @given(st.dictionaries(st.sampled_from(names), values), st.booleans())
    def post_anything(data, autosave):
        headers = {"X-Autosave": "1"} if autosave else {}
        response = client.post(path, data={"csrf_token": csrf, **data}, headers=headers)
        assert response.status_code < 500

    post_anything()


def test_any_free_text_is_answered_without_a_server_error(client, started):
    survey, token = started
    last = sections(survey.version)[-1]
    path = f"/r/{token}/section/{last.key}"
    csrf = csrf_token(client, path)
    text_field = next(f"item_{i.id}" for i in last.items if i.item_type.value == "text")

    @FUZZ
    @given(st.text(max_size=2500) | st.sampled_from(["\x00", "a\x00b"]))
    def post_text(text):
        response = client.post(path, data={"csrf_token": csrf, text_field: text})
        assert response.status_code < 500

    post_text()


def test_any_submission_key_is_handled(client, started):
    survey, token = started
    csrf = csrf_token(client, f"/r/{token}/section/{sections(survey.version)[0].key}")

    @FUZZ
    @given(st.text(max_size=200))
    def submit_anything(key):
        response = client.post(
            f"/r/{token}/submit", data={"csrf_token": csrf, "submission_key": key}
        )
        assert response.status_code < 500

    submit_anything()


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_text_answers_are_never_executable(client, started, payload):
    survey, token = started
    last = sections(survey.version)[-1]
    text_item = next(item for item in last.items if item.item_type.value == "text")
    answers = full_answers(survey.version)
    path = f"/r/{token}/section/{last.key}"
    data = {f"item_{i.id}": answers[i.id] for i in last.items}
    data[f"item_{text_item.id}"] = payload
    data["csrf_token"] = csrf_token(client, path)
    assert client.post(path, data=data).status_code == 302
    for page in (path, f"/r/{token}/check"):
        html = client.get(page).get_data(as_text=True)
        assert_nothing_executable(html)
