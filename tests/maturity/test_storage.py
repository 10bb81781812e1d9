"""Stored files: upsert by key, prefix deletion, the tenant filter and HTTP validators."""

from flask import Flask

from maturity.db import db
from maturity.storage.models import StoredFile
from maturity.storage.services import delete_files, find_file, put_file
from maturity.storage.web import stored_file_response
from maturity.tenancy import TenantScope, activate_scope
from tests.conftest import World


def _put(world: World, key: str, content: bytes = b"<svg/>", **kwargs) -> StoredFile:
    kwargs.setdefault("collaborative_id", world.collaborative.id)
    kwargs.setdefault("content_type", "image/svg+xml")
    stored = put_file(key, content=content, **kwargs)
    db.session.commit()
    return stored


def test_put_replaces_the_file_under_the_same_key(world: World):
    first = _put(world, "charts/a.svg", b"one")
    second = _put(world, "charts/a.svg", b"two")

    assert second.id == first.id
    assert find_file("charts/a.svg").content == b"two"
    assert db.session.query(StoredFile).count() == 1
    assert second.size == 3
    assert second.etag != "" and len(second.etag) == 64


def test_the_etag_follows_the_content(world: World):
    a = _put(world, "a", b"same").etag
    b = _put(world, "b", b"same").etag
    c = _put(world, "c", b"different").etag

    assert a == b != c


def test_delete_files_takes_the_prefix_literally(world: World):
    _put(world, "charts/round-1/a.svg")
    _put(world, "charts/round-1/b.png")
    _put(world, "charts/round-10/a.svg")
    _put(world, "charts/round_1x/a.svg")

    assert delete_files("charts/round-1/") == 2
    db.session.commit()
    assert sorted(f.key for f in db.session.query(StoredFile)) == [
        "charts/round-10/a.svg",
        "charts/round_1x/a.svg",
    ]
    assert delete_files("charts/round%") == 0


def test_another_collaboratives_files_are_invisible_under_a_scope(world: World):
    _put(world, "home.svg")
    _put(world, "foreign.svg", collaborative_id=world.foreign_collaborative.id)
    home_scope = TenantScope(
        organisation_ids=frozenset({world.organisation.id}),
        collaborative_ids=frozenset({world.collaborative.id}),
    )
    db.session.expunge_all()

    activate_scope(home_scope)

    assert find_file("home.svg") is not None
    assert find_file("foreign.svg") is None


def test_response_carries_validators_and_answers_304(app: Flask, world: World):
    stored = _put(world, "charts/a.svg", b"<svg>figure</svg>", filename="profile.svg")

    with app.test_request_context():
        response = stored_file_response(stored)
    assert response.status_code == 200
    assert response.get_data() == b"<svg>figure</svg>"
    assert response.headers["ETag"] == f'"{stored.etag}"'
    assert "private" in response.headers["Cache-Control"]
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert "Content-Disposition" not in response.headers

    with app.test_request_context(headers={"If-None-Match": f'"{stored.etag}"'}):
        cached = stored_file_response(stored)
    assert cached.status_code == 304
    assert cached.get_data() == b""


def test_download_names_a_safe_file(app: Flask, world: World):
    stored = _put(world, "r.pdf", b"%PDF", content_type="application/pdf", filename='a"b/c.pdf')

    with app.test_request_context():
        response = stored_file_response(stored, download=True)
    assert response.headers["Content-Disposition"] == 'attachment; filename="abc.pdf"'
    assert response.mimetype == "application/pdf"
