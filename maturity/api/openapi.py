"""JSON Schema from the API's typed dataclasses, and the OpenAPI 3.1 document built from the
route registry (:mod:`maturity.api.registry`): nothing here is written by hand per route."""

import dataclasses
import re
import types
from datetime import datetime
from enum import Enum
from typing import Any, Union, get_args, get_origin, get_type_hints

from maturity.api.errors import STATUS_ERRORS

REF_PREFIX = "#/components/schemas/"
SECURITY_SCHEME = "bearerAuth"
CONVERTER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
CONVERTER_SCHEMAS = {
    "int": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
    "default": {"type": "string", "pattern": "^[^/]+$"},
}
SCALARS: dict[type, dict[str, Any]] = {
    bool: {"type": "boolean"},
    int: {"type": "integer"},
    float: {"type": "number"},
    str: {"type": "string"},
    datetime: {"type": "string", "format": "date-time"},
}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if isinstance(schema.get("type"), str):
        nullable = {**schema, "type": [schema["type"], "null"]}
        if "enum" in schema:
            nullable["enum"] = [*schema["enum"], None]
        return nullable
    return {"anyOf": [schema, {"type": "null"}]}


def schema_of(annotation: Any, components: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema of a type hint; dataclasses become named components."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(annotation) if a is not type(None)]
        inner = schema_of(options[0], components)
        return _nullable(inner) if len(options) < len(get_args(annotation)) else inner
    if origin is list:
        return {"type": "array", "items": schema_of(get_args(annotation)[0], components)}
    if origin is dict:
        return {
            "type": "object",
            "additionalProperties": schema_of(get_args(annotation)[1], components),
        }
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return {"type": "string", "enum": [member.value for member in annotation]}
    if dataclasses.is_dataclass(annotation):
        return {"$ref": REF_PREFIX + component_for(annotation, components)}
    if annotation in SCALARS:
        return dict(SCALARS[annotation])
    raise TypeError(f"no JSON Schema for {annotation!r}")


def component_for(cls: type, components: dict[str, Any]) -> str:
    """Add the dataclass ``cls`` to ``components`` (once) and return its name."""
    name = cls.__name__
    if name in components:
        return name
    components[name] = {}  # reserve the name first: a dataclass may refer to itself
    hints = get_type_hints(cls)
    properties = {}
    for field in dataclasses.fields(cls):
        schema = schema_of(hints[field.name], components)
        properties[field.name] = {**schema, **field.metadata.get("schema", {})}
    components[name] = {
        "type": "object",
        "description": (cls.__doc__ or "").strip(),
        "properties": properties,
        "required": [field.name for field in dataclasses.fields(cls)],
        "additionalProperties": False,
    }
    return name


def openapi_path(rule: str) -> str:
    """A Flask rule as an OpenAPI path template."""
    return CONVERTER.sub(lambda match: "{" + match.group(2) + "}", rule)


def _converter_schema(match: re.Match) -> dict[str, Any]:
    converter = match.group(1) or "default"
    if converter == "any":  # <any(a, b):name>: one of the listed words
        words = match.group(0).split("(", 1)[1].split(")", 1)[0]
        return {"type": "string", "enum": [word.strip() for word in words.split(",")]}
    return dict(CONVERTER_SCHEMAS.get(converter, {"type": "string"}))


def path_parameters(rule: str) -> list[dict[str, Any]]:
    """The OpenAPI parameters for a Flask rule's URL variables."""
    return [
        {"name": match.group(2), "in": "path", "required": True, "schema": _converter_schema(match)}
        for match in CONVERTER.finditer(rule)
    ]


def error_component(components: dict[str, Any]) -> str:
    """The shared error body's component."""
    components.setdefault(
        "ErrorDetail",
        {
            "type": "object",
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            "required": ["code", "message"],
        },
    )
    components.setdefault(
        "Error",
        {
            "type": "object",
            "description": "Every error: a stable code for programs and a message for people.",
            "properties": {"error": {"$ref": REF_PREFIX + "ErrorDetail"}},
            "required": ["error"],
        },
    )
    return "Error"


def error_responses(statuses: list[int], components: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI responses for the error statuses an operation can answer with."""
    ref = {"$ref": REF_PREFIX + error_component(components)}
    responses = {}
    for status in statuses:
        response: dict[str, Any] = {
            "description": STATUS_ERRORS[status][1],
            "content": {"application/json": {"schema": ref}},
        }
        if status == 429:
            response["headers"] = {
                "Retry-After": {
                    "description": "Seconds to wait before trying again",
                    "schema": {"type": "string"},
                }
            }
        responses[str(status)] = response
    return responses
