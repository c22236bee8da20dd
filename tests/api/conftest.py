"""API fixtures: a token per named person and a small client that sends them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from passage.api.models import Scope

EVERY_SCOPE = [scope.value for scope in Scope]


@dataclass
class Api:
    """Django's test client with a bearer token and JSON bodies."""

    client: Any
    token: str | None

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(path, params or {}, headers=self._headers())

    def send(self, method: str, path: str, body: Any = None, *, raw: str | bytes | None = None,
             content_type: str = "application/json") -> Any:  # fmt: skip
        data = raw if raw is not None else json.dumps(body)
        return self.client.generic(method, path, data, content_type=content_type, headers=self._headers())

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.send("POST", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.send("PATCH", path, body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.send("PUT", path, body, **kwargs)


def issue(user: Any, scopes: list[str] | None = None, *, name: str = "test", days: int = 90) -> str:
    from passage.api.tokens import create_token

    return create_token(user, name=name, scopes=scopes or EVERY_SCOPE, days=days, actor=user).secret


@pytest.fixture
def api_as(client: Any, office: Any) -> Any:
    """``api_as("lawyer")`` (or a user, with optional scopes): an :class:`Api` with a fresh token."""
    counter = iter(range(1000))

    def make(who: Any, scopes: list[str] | None = None) -> Api:
        user = getattr(office, who) if isinstance(who, str) else who
        return Api(client, issue(user, scopes, name=f"test-{next(counter)}"))

    return make


@pytest.fixture
def as_lawyer_api(api_as: Any) -> Api:
    return api_as("lawyer")
