"""Request size limits: a body over MAX_CONTENT_LENGTH is refused with 413 before it is
read (a styled page for the web, JSON for the API), and form text has a memory cap."""

import io

from tests.helpers import csrf_token, sign_in

FORTY_MB = 40 * 1024 * 1024


class CountingStream(io.RawIOBase):
    """An endless request body that remembers how much of it the server read."""

    def __init__(self) -> None:
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        buffer[:] = b"a" * len(buffer)
        self.bytes_read += len(buffer)
        return len(buffer)


def _post_forty_mb(client, path: str, content_type: str):
    stream = CountingStream()
    response = client.post(
        path,
        content_type=content_type,
        environ_overrides={"wsgi.input": stream, "CONTENT_LENGTH": str(FORTY_MB)},
    )
    return response, stream


def test_a_40_mb_upload_gets_a_styled_413_without_being_read(client, world):
    sign_in(client, world.convenor.email)
    response, stream = _post_forty_mb(
        client, "/c/home-partnership/frameworks/import", "multipart/form-data; boundary=x"
    )
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert '<h1 class="govuk-heading-l">What you sent is too large</h1>' in html
    assert stream.bytes_read == 0


def test_an_anonymous_40_mb_sign_in_post_is_refused_unread(client):
    response, stream = _post_forty_mb(client, "/sign-in", "application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert stream.bytes_read == 0


def test_the_api_answers_a_40_mb_body_with_json(client):
    response, stream = _post_forty_mb(client, "/api/v1/rounds", "application/json")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"
    assert stream.bytes_read == 0


def test_form_text_over_the_memory_cap_is_refused(client, world):
    sign_in(client, world.convenor.email)
    path = "/c/home-partnership/frameworks/import"
    data = {"csrf_token": csrf_token(client, path), "yaml_text": "#" * (3 * 1024 * 1024)}
    response = client.post(path, data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "What you sent is too large" in response.get_data(as_text=True)


def test_a_yaml_paste_just_under_the_cap_is_read_and_answered_with_a_message(client, world):
    sign_in(client, world.convenor.email)
    path = "/c/home-partnership/frameworks/import"
    data = {"csrf_token": csrf_token(client, path), "yaml_text": "#" * 1_000_001}
    response = client.post(path, data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "The YAML must be smaller than 1 MB" in response.get_data(as_text=True)
