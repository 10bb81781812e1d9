"""Serving a stored file with validators and cache headers."""

from __future__ import annotations

from flask import Response, request

from maturity.storage.models import StoredFile

ONE_YEAR = 365 * 24 * 3600


def stored_file_response(
    stored: StoredFile, *, download: bool = False, max_age: int = ONE_YEAR
) -> Response:
    """The file itself, or 304 when the browser already holds this version.

    Files are private to the people who may see them, so shared caches must not keep them.
    """
    response = Response(status=200, mimetype=stored.content_type)
    response.set_etag(stored.etag)
    response.cache_control.private = True
    response.cache_control.max_age = max_age
    if stored.etag in request.if_none_match:
        response.status_code = 304
        return response
    response.set_data(stored.content)
    if download:
        response.headers["Content-Disposition"] = _attachment(stored.filename or "download")
    return response


def _attachment(filename: str) -> str:
    safe = "".join(ch for ch in filename if ch.isalnum() or ch in "._-") or "download"
    return f'attachment; filename="{safe}"'
