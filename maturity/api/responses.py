"""Answering API requests: plain JSON from dataclasses, keyset pagination, JSON bodies."""

import base64
import binascii
import dataclasses
from collections.abc import Callable, Sequence
from datetime import datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from flask import Response, jsonify, request, url_for

from maturity.api.errors import ApiError
from maturity.api.registry import DEFAULT_LIMIT, MAX_LIMIT
from maturity.db import db

MAX_CURSOR_ID = 2**62


def plain(value: Any) -> Any:
    """A JSON-ready copy of ``value``: dataclasses, enums and aware datetimes included."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def one(item: Any) -> Response:
    """A single resource: ``{"data": …}``."""
    return jsonify({"data": plain(item)})


def bad_request(message: str, code: str = "invalid_request") -> ApiError:
    """A 400 with a message saying what to fix."""
    return ApiError(400, code, message)


def _limit() -> int:
    raw = request.args.get("limit", str(DEFAULT_LIMIT))
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise bad_request(f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return int(raw)


def encode_cursor(last_id: int) -> str:
    """The opaque cursor for the page after the row with ``last_id``."""
    return base64.urlsafe_b64encode(str(last_id).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The row id a cursor continues after; 400 for anything that is not one of ours."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    if not text.isdigit() or int(text) > MAX_CURSOR_ID:
        raise bad_request("cursor is not valid: use the links.next of the previous page")
    return int(text)


def page(
    statement: sa.Select, id_column: sa.ColumnElement[int], serialise: Callable[[Sequence], list]
) -> Response:
    """One page of ``statement``'s rows in id order, with a link to the next page.

    ``serialise`` turns the page's rows into items (it sees the whole page, so it can load
    what the items need in one query).
    """
    limit = _limit()
    cursor = request.args.get("cursor")
    if cursor is not None:
        statement = statement.where(id_column > decode_cursor(cursor))
    rows = list(db.session.scalars(statement.order_by(id_column).limit(limit + 1)))
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_url = None
    if has_more:
        args = {**request.view_args, **request.args.to_dict(), "limit": limit}
        args["cursor"] = encode_cursor(rows[-1].id)
        next_url = url_for(request.endpoint, **args, _external=False)
    return jsonify({"data": plain(serialise(rows)), "links": {"next": next_url}})


def json_body() -> dict[str, Any]:
    """The request's JSON object; 415 or 400 with a clear message otherwise."""
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", "Send the body as application/json.")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise bad_request("The body must be a JSON object.")
    return body


def only_fields(body: dict[str, Any], allowed: set[str]) -> None:
    """Refuse fields the operation does not take, so a typo is not silently ignored."""
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise bad_request(f"Unknown field(s): {', '.join(unknown)}")
