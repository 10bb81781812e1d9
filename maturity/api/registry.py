"""The API blueprint and its route registry.

Every API route is declared with :func:`api_route`, which names its summary, what it answers
with (a dataclass), its body and query parameters, and whether it writes. The same
declaration registers the Flask view, tells the authentication hook whether the route is
public or needs a read-write token, and is what the OpenAPI document is generated from.
``surveys.api`` adds its routes here too (``maturity`` never imports ``surveys``).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, abort, current_app

from maturity.api.errors import ApiError, handle_api_error, handle_http_exception
from maturity.api.openapi import (
    REF_PREFIX,
    SECURITY_SCHEME,
    component_for,
    error_responses,
    openapi_path,
    path_parameters,
)

API_VERSION = "v1"
bp = Blueprint("api", __name__, url_prefix=f"/api/{API_VERSION}")
bp.register_error_handler(ApiError, handle_api_error)
for _status in (400, 401, 403, 404, 405, 409, 413, 415, 429, 500):
    bp.register_error_handler(_status, handle_http_exception)

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_ID = 2**31 - 1  # the largest id a database integer column holds


@bp.url_value_preprocessor
def _refuse_impossible_ids(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    """An id no row can have addresses nothing: 404 before it reaches a query."""
    if any(isinstance(v, int) and v > MAX_ID for v in (values or {}).values()):
        abort(404)


@dataclass(frozen=True)
class QueryParam:
    """A documented query parameter."""

    name: str
    schema: dict[str, Any]
    description: str
    required: bool = False


PAGE_PARAMS = (
    QueryParam(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        "How many items a page holds",
    ),
    QueryParam(
        "cursor",
        {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,40}$"},
        "The cursor from the previous page's links.next",
    ),
)


@dataclass(frozen=True)
class Operation:
    """One API route and method, as declared."""

    endpoint: str
    rule: str
    method: str
    summary: str
    description: str
    tag: str
    response: type | None
    is_list: bool = False
    body: type | None = None
    query: tuple[QueryParam, ...] = ()
    is_public: bool = False
    is_write: bool = False
    errors: tuple[int, ...] = field(default=())
    # For downloads: the success response's content by media type (instead of ``response``).
    files: dict[str, Any] | None = None

    @property
    def statuses(self) -> list[int]:
        """The error statuses this operation can answer with."""
        statuses = set(self.errors) | {404, 405, 500}
        if not self.is_public:
            statuses |= {401, 429}
        if self.is_write:
            statuses |= {400, 403, 415}
        if self.query:
            statuses.add(400)
        return sorted(statuses)


OPERATIONS: dict[str, Operation] = {}


def api_route(
    rule: str,
    *,
    summary: str,
    tag: str,
    response: type | None,
    method: str = "GET",
    is_list: bool = False,
    body: type | None = None,
    query: tuple[QueryParam, ...] = (),
    is_public: bool = False,
    errors: tuple[int, ...] = (),
    files: dict[str, Any] | None = None,
) -> Callable:
    """Register an API view on the blueprint and in the registry."""

    def decorator(view: Callable) -> Callable:
        operation = Operation(
            endpoint=f"{bp.name}.{view.__name__}",
            rule=rule,
            method=method,
            summary=summary,
            description=(view.__doc__ or summary).strip(),
            tag=tag,
            response=response,
            is_list=is_list,
            body=body,
            query=(*query, *PAGE_PARAMS) if is_list else query,
            is_public=is_public,
            is_write=method not in ("GET", "HEAD"),
            errors=errors,
            files=files,
        )
        OPERATIONS[operation.endpoint] = operation
        bp.add_url_rule(rule, view_func=view, methods=[method], provide_automatic_options=False)
        return view

    return decorator


def _response_schema(operation: Operation, components: dict[str, Any]) -> dict[str, Any]:
    item = {"$ref": REF_PREFIX + component_for(operation.response, components)}
    if not operation.is_list:
        return {
            "type": "object",
            "properties": {"data": item},
            "required": ["data"],
        }
    components.setdefault(
        "PageLinks",
        {
            "type": "object",
            "description": "Where the next page is; null on the last page.",
            "properties": {"next": {"type": ["string", "null"]}},
            "required": ["next"],
        },
    )
    return {
        "type": "object",
        "properties": {
            "data": {"type": "array", "items": item},
            "links": {"$ref": REF_PREFIX + "PageLinks"},
        },
        "required": ["data", "links"],
    }


def _operation_object(operation: Operation, components: dict[str, Any]) -> dict[str, Any]:
    success = "200"
    responses: dict[str, Any] = {}
    if operation.files is not None:
        responses[success] = {"description": operation.summary, "content": operation.files}
    elif operation.response is not None:
        responses[success] = {
            "description": operation.summary,
            "content": {"application/json": {"schema": _response_schema(operation, components)}},
        }
    responses.update(error_responses(operation.statuses, components))
    parameters = path_parameters(operation.rule) + [
        {
            "name": param.name,
            "in": "query",
            "required": param.required,
            "description": param.description,
            "schema": param.schema,
        }
        for param in operation.query
    ]
    result: dict[str, Any] = {
        "operationId": operation.endpoint.removeprefix(f"{bp.name}."),
        "summary": operation.summary,
        "description": operation.description,
        "tags": [operation.tag],
        "parameters": parameters,
        "responses": responses,
        "security": [] if operation.is_public else [{SECURITY_SCHEME: []}],
    }
    if operation.body is not None:
        body_ref = {"$ref": REF_PREFIX + component_for(operation.body, components)}
        result["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": body_ref}},
        }
    return result


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of every registered operation."""
    components: dict[str, Any] = {}
    paths: dict[str, dict[str, Any]] = {}
    for operation in sorted(OPERATIONS.values(), key=lambda op: (op.rule, op.method)):
        path = openapi_path(bp.url_prefix + operation.rule)
        paths.setdefault(path, {})[operation.method.lower()] = _operation_object(
            operation, components
        )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Placewise API",
            "version": API_VERSION,
            "description": (
                "Collaboratives, members, rounds, participations, results and benchmarks, "
                "with the same permissions and anonymity rules as the web pages. "
                "Authenticate with a personal access token from 'Your account'."
            ),
        },
        "servers": [{"url": current_app.config.get("BASE_URL", "/")}],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(components.items())),
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal access token: 'Authorization: Bearer pw_…'",
                }
            },
        },
    }
