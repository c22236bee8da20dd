"""Token authentication, scopes and JSON errors for API views.

Each handler is decorated with :func:`api_endpoint` (who may call it and with which scope) and
the handlers of one URL are joined by :func:`route`, which answers other methods with 405. Both
set ``passage_policy`` like :func:`passage.accounts.access.staff_view`, so the authorization
matrix covers the API too; ``passage_api_scopes`` names the scope per method.

Only ``Authorization: Bearer <token>`` authenticates: a session cookie is ignored, so a page in
a staff member's browser cannot make API calls in their name (which is also why the views are
CSRF-exempt). The token's user then meets the same role checks and the same
``get_<thing>_for_user`` helpers as in the web app.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from passage.accounts.access import Policy
from passage.api.openapi import request_schema
from passage.api.tokens import AuthenticationFailed, authenticate
from passage.api.validate import Invalid, check
from passage.vault import SealedError

__all__ = ["ApiError", "api_endpoint", "error_response", "ok", "query_choice", "query_int", "read_json", "route"]

ApiView = Callable[..., HttpResponse]


class ApiError(Exception):
    """An answer other than success: status, one clear sentence, and the field at fault."""

    def __init__(self, status: int, message: str, *, field: str | None = None, scope: str | None = None,
                 headers: Mapping[str, str] | None = None) -> None:  # fmt: skip
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.scope = scope
        self.headers = dict(headers or {})


def ok(payload: dict[str, Any], status: int = 200, *, location: str | None = None) -> JsonResponse:
    response = JsonResponse(payload, status=status, json_dumps_params={"ensure_ascii": False})
    if location:
        response["Location"] = location
    return response


def error_response(error: ApiError) -> JsonResponse:
    payload: dict[str, Any] = {"error": error.message}
    if error.field is not None:
        payload["field"] = error.field
    if error.scope is not None:
        payload["scope"] = error.scope
    response = ok(payload, error.status)
    for name, value in error.headers.items():
        response[name] = value
    return response


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def read_json(request: HttpRequest, schema_name: str) -> dict[str, Any]:
    """The request body, parsed and checked against the named request schema.

    Raises:
        ApiError: 415 not JSON, 413 too large, 400 malformed or not fitting the schema.
    """
    if request.content_type != "application/json":
        raise ApiError(415, "send the request body as JSON with 'Content-Type: application/json'")
    try:
        raw = request.body
    except RequestDataTooBig:
        raise ApiError(413, "the request body is too large") from None
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except UnicodeDecodeError:
        raise ApiError(400, "the request body is not UTF-8 text") from None
    except RecursionError:
        raise ApiError(400, "the request body is nested too deeply") from None
    except ValueError as error:
        raise ApiError(400, f"the request body is not valid JSON: {error}") from None
    schema, components = request_schema(schema_name)
    try:
        check(data, schema, components)
    except Invalid as error:
        raise ApiError(400, error.message, field=error.field or None) from None
    return data  # type: ignore[no-any-return]  # the schema makes it an object


def query_int(request: HttpRequest, name: str, default: int, minimum: int, maximum: int | None = None) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    bounds = f"between {minimum} and {maximum}" if maximum is not None else f"of at least {minimum}"
    try:
        value = int(raw.strip())
    except ValueError:
        raise ApiError(400, f"{name} must be a whole number {bounds}", field=name) from None
    if value < minimum or (maximum is not None and value > maximum):
        raise ApiError(400, f"{name} must be a whole number {bounds}", field=name)
    return value


def query_choice(request: HttpRequest, name: str, choices: tuple[str, ...], default: str) -> str:
    value = request.GET.get(name, default)
    if value not in choices:
        raise ApiError(400, f"{name} must be one of: {', '.join(choices)}", field=name)
    return value


def _authenticated(request: HttpRequest, roles: tuple[str, ...], scope: str) -> Any:
    try:
        token = authenticate(request.headers.get("Authorization"))
    except AuthenticationFailed as failure:
        challenge = 'Bearer realm="passage"'
        if request.headers.get("Authorization"):
            challenge += ', error="invalid_token"'
        raise ApiError(401, str(failure), headers={"WWW-Authenticate": challenge}) from None
    user = token.user
    if getattr(user, "role", None) not in roles:
        raise ApiError(403, "your role may not use this endpoint")
    if not token.has_scope(scope):
        raise ApiError(
            403,
            f"this token lacks the scope '{scope}'",
            scope=scope,
            headers={"WWW-Authenticate": f'Bearer realm="passage", error="insufficient_scope", scope="{scope}"'},
        )
    request.user = user
    request.api_token = token  # type: ignore[attr-defined]
    return user


def api_endpoint(*roles: str, scope: str) -> Callable[[ApiView], ApiView]:
    """A handler callable with a live token of a user with one of ``roles`` carrying ``scope``.

    The handler is called as ``view(request, user, **url_kwargs)``. :class:`ApiError`, 404
    (unknown or invisible objects), 403 and a sealed vault become JSON answers.
    """
    allowed = tuple(str(role) for role in roles)

    def decorate(view: ApiView) -> ApiView:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                user = _authenticated(request, allowed, scope)
                return view(request, user, *args, **kwargs)
            except ApiError as error:
                return error_response(error)
            except Http404:
                return error_response(ApiError(404, "not found"))
            except PermissionDenied as denied:
                return error_response(ApiError(403, str(denied) or "you may not do this"))
            except SealedError:
                return error_response(ApiError(503, "the office vault is sealed"))

        wrapped.passage_policy = Policy(allowed)  # type: ignore[attr-defined]
        wrapped.passage_api_scope = scope  # type: ignore[attr-defined]
        return wrapped

    return decorate


def route(**handlers: ApiView) -> ApiView:
    """One URL's handlers by HTTP method (``GET=..., POST=...``); other methods get 405."""
    by_method = {method.upper(): handler for method, handler in handlers.items()}
    allow = ", ".join(by_method)

    def dispatch(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        handler = by_method.get(request.method or "")
        if handler is None:
            response = error_response(ApiError(405, f"use {allow} on this URL"))
            response["Allow"] = allow
            return response
        return handler(request, *args, **kwargs)

    roles: list[str] = []
    for handler in by_method.values():
        policy: Policy = handler.passage_policy  # type: ignore[attr-defined]
        roles.extend(role for role in policy.roles if role not in roles)
    dispatch.__name__ = "_".join(handler.__name__ for handler in by_method.values())
    dispatch.__qualname__ = dispatch.__name__
    dispatch.__module__ = next(iter(by_method.values())).__module__
    view = csrf_exempt(dispatch)
    view.passage_policy = Policy(tuple(roles))  # type: ignore[attr-defined]
    view.passage_api_scopes = {m: h.passage_api_scope for m, h in by_method.items()}  # type: ignore[attr-defined]
    return view
