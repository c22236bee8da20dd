"""Checking request bodies against the request schemas of the OpenAPI document.

The schemas in :mod:`passage.api.openapi` are the one description of what the API accepts:
schemathesis tests against them and this module enforces them, so the two cannot drift. Only
the part of JSON Schema those schemas use is implemented (types, ``enum``, ``properties``,
``required``, ``additionalProperties``, ``items``, lengths, ``pattern``, ``format`` date and
uuid, ``minimum``/``maximum``, local ``$ref``, and ``x-pattern-error``, the words for a
pattern's meaning); anything else is a programming error.

The first problem found is reported as one sentence naming the field, e.g.
``facts.arrived_on must be a date YYYY-MM-DD``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from typing import Any

__all__ = ["Invalid", "check"]

_KNOWN_KEYWORDS = {
    "$ref", "type", "enum", "properties", "required", "additionalProperties", "items", "minItems",
    "maxItems", "uniqueItems", "minLength", "maxLength", "pattern", "format", "minimum", "maximum",
    "description", "title", "default", "examples", "readOnly", "writeOnly", "x-pattern-error",
}  # fmt: skip
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TYPE_WORDS = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "an object",
    "null": "null",
}


class Invalid(ValueError):
    """A value does not fit its schema; ``field`` is the dotted path to it ('' for the body)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@lru_cache(maxsize=64)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _is(value: Any, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    if kind == "null":
        return value is None
    raise ValueError(f"unsupported JSON Schema type {kind!r}")


def _name(path: str) -> str:
    return path or "the request body"


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def check(value: Any, schema: Mapping[str, Any], components: Mapping[str, Any], path: str = "") -> None:
    """Raise :class:`Invalid` for the first way ``value`` breaks ``schema``.

    Args:
        value: parsed JSON.
        schema: a JSON Schema using only the keywords listed in this module's docstring.
        components: ``components.schemas`` of the OpenAPI document, for ``$ref``.
        path: the dotted path of ``value`` inside the request body (for messages).
    """
    unknown = set(schema) - _KNOWN_KEYWORDS
    if unknown:
        raise ValueError(f"schema keyword(s) not supported by the validator: {sorted(unknown)}")
    if "$ref" in schema:
        ref = schema["$ref"]
        prefix = "#/components/schemas/"
        if not ref.startswith(prefix):
            raise ValueError(f"only local component references are supported (got {ref!r})")
        check(value, components[ref[len(prefix) :]], components, path)
        return
    kinds = schema.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else list(kinds)
        if not any(_is(value, kind) for kind in kinds):
            expected = " or ".join(_TYPE_WORDS[kind] for kind in kinds)
            raise Invalid(f"{_name(path)} must be {expected}", path)
    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join("null" if item is None else str(item) for item in schema["enum"])
        raise Invalid(f"{_name(path)} must be one of: {allowed}", path)
    if isinstance(value, str):
        _check_string(value, schema, path)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        _check_number(value, schema, path)
    elif isinstance(value, list):
        _check_array(value, schema, components, path)
    elif isinstance(value, dict):
        _check_object(value, schema, components, path)


def _check_string(value: str, schema: Mapping[str, Any], path: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid(f"{_name(path)} must be valid Unicode text", path) from None
    if "minLength" in schema and len(value) < schema["minLength"]:
        if schema["minLength"] == 1:
            raise Invalid(f"{_name(path)} must not be empty", path)
        raise Invalid(f"{_name(path)} must be at least {schema['minLength']} characters long", path)
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        raise Invalid(f"{_name(path)} must be at most {schema['maxLength']} characters long", path)
    fmt = schema.get("format")
    if fmt == "date":
        if not _DATE_RE.match(value):
            raise Invalid(f"{_name(path)} must be a date YYYY-MM-DD", path)
        try:
            date.fromisoformat(value)
        except ValueError:
            raise Invalid(f"{_name(path)} is an impossible date ({value})", path) from None
    elif fmt == "uuid":
        try:
            uuid.UUID(value)
        except ValueError:
            raise Invalid(f"{_name(path)} must be an id (a UUID)", path) from None
    if "pattern" in schema and not _regex(schema["pattern"]).search(value):
        # The schema may say in words what its pattern means ("x-pattern-error").
        explained = schema.get("x-pattern-error", f"does not have the expected form ({schema['pattern']})")
        raise Invalid(f"{_name(path)} {explained}", path)


def _check_number(value: float, schema: Mapping[str, Any], path: str) -> None:
    if "minimum" in schema and value < schema["minimum"]:
        raise Invalid(f"{_name(path)} must be at least {schema['minimum']}", path)
    if "maximum" in schema and value > schema["maximum"]:
        raise Invalid(f"{_name(path)} must be at most {schema['maximum']}", path)


def _check_array(value: list[Any], schema: Mapping[str, Any], components: Mapping[str, Any], path: str) -> None:
    if "minItems" in schema and len(value) < schema["minItems"]:
        raise Invalid(f"{_name(path)} must have at least {schema['minItems']} item(s)", path)
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        raise Invalid(f"{_name(path)} must have at most {schema['maxItems']} items", path)
    if "items" in schema:
        for index, item in enumerate(value):
            check(item, schema["items"], components, f"{path}[{index}]")
    if schema.get("uniqueItems"):
        seen: list[Any] = []
        for index, item in enumerate(value):
            if any(item == other and type(item) is type(other) for other in seen):
                raise Invalid(f"{_name(path)} lists {item!r} twice", f"{path}[{index}]")
            seen.append(item)


def _check_object(value: dict[str, Any], schema: Mapping[str, Any], components: Mapping[str, Any], path: str) -> None:
    properties: Mapping[str, Any] = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    for key in value:
        try:
            key.encode("utf-8")
        except UnicodeEncodeError:
            raise Invalid(f"{_name(path)} has a field name that is not valid Unicode text", path) from None
        if key not in properties and extra is False:
            expected = ", ".join(properties) or "none"
            raise Invalid(f"unknown field {_join(path, key)!r} (expected: {expected})", _join(path, key))
    for key in schema.get("required", ()):
        if key not in value:
            raise Invalid(f"{_join(path, key)} is required", _join(path, key))
    for key, item in value.items():
        if key in properties:
            check(item, properties[key], components, _join(path, key))
        elif isinstance(extra, Mapping):
            check(item, extra, components, _join(path, key))
