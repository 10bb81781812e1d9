"""JSON errors for the API: ``{"error": {"code", "message"}}`` with the right status, never
an HTML page, for anything under ``/api/``."""

from dataclasses import dataclass

from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException

from maturity.ratelimit import retry_after_seconds

API_PREFIX = "/api/"

# The code and message each HTTP status gets when nothing more specific was said.
STATUS_ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request could not be understood."),
    401: ("unauthorized", "Send a valid personal access token as 'Authorization: Bearer …'."),
    403: ("forbidden", "This token may not do that."),
    404: ("not_found", "Nothing was found at this address."),
    405: ("method_not_allowed", "This address cannot be used with that method."),
    409: ("conflict", "The request conflicts with the resource's current state."),
    413: ("payload_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "Send the body as application/json."),
    429: ("rate_limited", "Too many requests. Wait, then try again."),
    500: ("server_error", "Sorry, something went wrong on our side. Try again later."),
}


@dataclass
class ApiError(Exception):
    """A refusal that the API turns into a JSON error body."""

    status: int
    code: str
    message: str
    headers: dict[str, str] | None = None


def is_api_request() -> bool:
    """Whether this request is addressed to the API (JSON errors, no pages)."""
    return request.path.startswith(API_PREFIX)


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    """A JSON error body with ``status``."""
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def status_error_response(status: int) -> Response:
    """The standard JSON error for an HTTP status."""
    code, message = STATUS_ERRORS.get(status, ("error", "The request failed."))
    headers = {"Allow": ", ".join(_allowed_methods())} if status == 405 else None
    return error_response(status, code, message, headers)


def _allowed_methods() -> list[str]:
    error = getattr(request, "routing_exception", None)
    return sorted(getattr(error, "valid_methods", None) or [])


def handle_api_error(error: ApiError) -> Response:
    """Flask error handler for :class:`ApiError`."""
    return error_response(error.status, error.code, error.message, error.headers)


def handle_http_exception(error: HTTPException) -> Response:
    """Flask error handler: an HTTP error raised inside an API view, as JSON. A rate limit
    says which limit it was and when to retry."""
    if error.code == 429:
        return error_response(
            429,
            "rate_limited",
            error.description or STATUS_ERRORS[429][1],
            {"Retry-After": str(retry_after_seconds())},
        )
    return status_error_response(error.code or 500)
