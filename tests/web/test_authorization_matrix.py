"""The authorization matrix, generated from the URL configuration: every route × every person.

Every route must carry a ``passage_policy`` (so a new view without a check fails here, by name).
Then each route is requested by GET and by POST (with an empty body) as anonymous, an admin, a
lawyer, the volunteer with the assigned case and the volunteer with none, with its URL filled
once for the volunteer's case and once for a case nobody is assigned to:

- public views never answer 5xx;
- anonymous visitors of staff pages are sent to the login page; the API answers them 401;
- a role outside the view's policy gets 403 (405 when nobody may use that method);
- a role inside it gets neither 403 nor 5xx, and a volunteer asking about a case not assigned to
  them gets 404, the same as for a case that does not exist;
- API routes are called with a token of each person carrying every scope, and each method is
  refused (403) to a token that lacks its scope.

No answer to someone who may not see a case contains that case's code or any of its text, and
no answer to a volunteer ever contains a true name. With the vault sealed every route outside
the unseal page, the language switch and the intake portal answers 503 with the unseal page
(the API with JSON) and nothing of any case.

Each request runs inside a savepoint that is rolled back, so a POST that shreds, deletes or
logs out does not change what the next person sees.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path

from passage.sealing import service
from passage.sealing.middleware import SEALED_OPEN
from tests.api.conftest import EVERY_SCOPE, issue
from tests.conftest import PASSPHRASE, verified_client
from tests.web.routing import REGISTRY, ROWS, Route, Targets, belongs_to_a_case, every_route

ROUTES = every_route()
# Allowed people first: whether a method is supported at all is learnt from their answers.
PEOPLE = ("admin", "lawyer", "volunteer", "volunteer_none", "anonymous")
ROLE_OF = {"admin": "admin", "lawyer": "lawyer", "volunteer": "volunteer", "volunteer_none": "volunteer"}
TRUE_NAMES = ("Ivan Testov", "Pyotr Other")


@pytest.fixture
def targets(office: Any, settings: Any, tmp_path: Any) -> Targets:
    """The named people with confirmed authenticators, and a private media folder."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.PASSAGE = dataclasses.replace(settings.PASSAGE, data_dir=tmp_path / "data")
    media = tmp_path / "data" / "media"
    media.mkdir(parents=True)
    for who in ROLE_OF:
        TOTPDevice.objects.create(user=getattr(office, who), name="matrix", confirmed=True)
    return Targets(office, media)


def _secrets_of(targets: Targets, row: str) -> list[str]:
    """What nobody who may not see the case should find in an answer."""
    case = targets.case(row)
    texts = [case.code, TRUE_NAMES[ROWS.index(row)]]
    if row == "case":
        texts += ["Left the unit in 2025", "signal: +000", "Vanya"]
    return texts


class Caller:
    """Sends one request as one person; every request is rolled back afterwards."""

    def __init__(self, targets: Targets) -> None:
        self.targets = targets
        self._tokens: dict[tuple[str, tuple[str, ...]], str] = {}

    def token(self, who: str, scopes: list[str]) -> str:
        key = (who, tuple(scopes))
        if key not in self._tokens:
            user = getattr(self.targets.office, who)
            self._tokens[key] = issue(user, scopes, name=f"matrix-{len(self._tokens)}")
        return self._tokens[key]

    def __call__(
        self, route: Route, who: str, method: str, url: str, scopes: list[str] | None = None
    ) -> tuple[int, str, bytes]:
        # Tokens are made outside the savepoint: they must outlive the rollback.
        token = None if who == "anonymous" or not route.is_api else self.token(who, scopes or EVERY_SCOPE)
        with transaction.atomic():
            if route.is_api:
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                body = "" if method == "GET" else json.dumps({})
                response = Client().generic(method, url, body, content_type="application/json", headers=headers)
            else:
                client = Client()
                if who != "anonymous":
                    verified_client(client, getattr(self.targets.office, who))
                response = client.get(url) if method == "GET" else client.post(url, {})
            content = b"".join(response.streaming_content) if response.streaming else response.content
            transaction.set_rollback(True)
        if service.vault_is_sealed():  # "Seal now" was pressed: open it again for the next person
            service.unseal_passphrase(PASSPHRASE)
        return response.status_code, response.get("Location", ""), content


def _methods(route: Route) -> list[str]:
    return sorted({"GET", "POST", *route.api_methods})


def _visible(route: Route, who: str, row: str) -> bool:
    """Whether ``who`` may see the case this URL concerns (everyone, if it concerns none)."""
    if not belongs_to_a_case(route) or ROLE_OF.get(who) != "volunteer":
        return True
    return who == "volunteer" and row == "case"


def _judge(route: Route, who: str, row: str, method: str, status: int, location: str, unsupported: bool) -> str | None:
    """What is wrong with this answer, or None."""
    policy = route.policy
    assert policy is not None
    if status >= 500:
        return f"answered {status}"
    if policy.public:
        return None
    if status == 405 and (unsupported or (route.is_api and method not in route.api_methods)):
        return None
    if route.is_api and method not in route.api_methods:
        return f"answered {status} to an undeclared method, expected 405"
    if who == "anonymous":
        if route.is_api:
            return None if status == 401 else f"answered {status} to no token, expected 401"
        if status == 302 and location.startswith("/accounts/login/"):
            return None
        return f"answered {status} ({location}) to an anonymous visitor, expected a redirect to the login page"
    if ROLE_OF[who] not in policy.roles:
        return None if status == 403 else f"answered {status} to a role outside {policy.roles}, expected 403"
    if not _visible(route, who, row):
        return None if status == 404 else f"answered {status} about a case not assigned to them, expected 404"
    if status in (401, 403, 404):
        return f"answered {status} to a role inside {policy.roles} on a case they may see"
    return None


def _leaks(route: Route, who: str, row: str, status: int, content: bytes, targets: Targets) -> list[str]:
    text = content.decode("utf-8", "replace")
    found = []
    allowed = route.policy is not None and (route.policy.public or ROLE_OF.get(who) in route.policy.roles)
    if who == "anonymous" or not allowed or not _visible(route, who, row) or status in (401, 403, 404):
        found += [secret for secret in _secrets_of(targets, row) if secret in text]
    if ROLE_OF.get(who) == "volunteer":
        found += [name for name in TRUE_NAMES if name in text]
    return found


def test_every_route_declares_a_policy() -> None:
    missing = [f"{route.name} (/{route.pattern})" for route in ROUTES if route.policy is None]
    assert missing == [], (
        "these views have no passage_policy: decorate them with passage.accounts.access.staff_view(...) "
        f"or public_view: {missing}"
    )


def test_the_walk_finds_the_routes_of_every_app() -> None:
    names = {route.name for route in ROUTES}
    assert {"cases:plan", "accounts:users", "sealing:seal", "api:clients", "set_language"} <= names
    assert not [route for route in ROUTES if route.pattern.startswith("static/")]


def _naked_view(request: Any) -> HttpResponse:  # a view someone forgot to protect
    return HttpResponse("case data")


urlpatterns = [path("naked/<uuid:case_id>/", _naked_view, name="naked")]


@override_settings(ROOT_URLCONF=__name__)
def test_a_view_without_a_policy_is_named_by_the_check() -> None:
    routes = every_route()
    assert [(route.name, route.params, route.policy) for route in routes] == [("naked", ("case_id",), None)]


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_every_route_answers_every_person_as_its_policy_says(route: Route, targets: Targets) -> None:
    if route.policy is None:
        pytest.fail(f"{route.name} has no passage_policy (see test_every_route_declares_a_policy)")
    missing = [param for param in route.params if param not in REGISTRY]
    assert not missing, f"add a factory for {missing} to REGISTRY in tests/web/routing.py (route {route.name})"
    call = Caller(targets)
    problems: list[str] = []
    rows = ROWS if belongs_to_a_case(route) else ROWS[:1]
    for method in _methods(route):
        for row in rows:
            url = route.path(targets.values(route, row))
            unsupported = False
            for who in PEOPLE:
                status, location, content = call(route, who, method, url)
                if who in ("admin", "lawyer") and ROLE_OF[who] in route.policy.roles:
                    unsupported = unsupported or status == 405
                problem = _judge(route, who, row, method, status, location, unsupported)
                if problem:
                    problems.append(f"{method} {url} as {who}: {problem}")
                leaked = _leaks(route, who, row, status, content, targets)
                if leaked:
                    problems.append(f"{method} {url} as {who} ({status}) shows {leaked}")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("route", [route for route in ROUTES if route.api_methods], ids=str)
def test_every_api_method_needs_its_scope(route: Route, targets: Targets) -> None:
    call = Caller(targets)
    url = route.path(targets.values(route, "case"))
    for method, scope in route.api_methods.items():
        others = [other for other in EVERY_SCOPE if other != scope]
        status, _location, content = call(route, "lawyer", method, url, scopes=others)
        assert status == 403, (method, url, content[:300])
        assert json.loads(content).get("scope") == scope


def _sealed_open(route: Route) -> bool:
    return ("/" + route.pattern).startswith(SEALED_OPEN)


def _every_url(targets: Targets) -> Iterator[tuple[Route, str]]:
    for route in ROUTES:
        for row in ROWS if belongs_to_a_case(route) else ROWS[:1]:
            yield route, route.path(targets.values(route, row))


def test_a_sealed_office_answers_every_route_with_the_unseal_page(targets: Targets) -> None:
    urls = list(_every_url(targets))  # every object is created while the vault is open
    call = Caller(targets)
    token = call.token("lawyer", EVERY_SCOPE)
    assert token
    service.seal(reason="matrix")
    secrets = [*_secrets_of(targets, "case"), *_secrets_of(targets, "other_case"), "Matrix"]
    problems: list[str] = []
    for route, url in urls:
        for who in ("anonymous", "lawyer"):
            for method in _methods(route):
                with transaction.atomic():
                    if route.is_api:
                        headers = {"Authorization": f"Bearer {token}"} if who == "lawyer" else {}
                        response = Client().generic(method, url, "{}", content_type="application/json", headers=headers)
                    else:
                        client = verified_client(Client(), targets.office.lawyer) if who == "lawyer" else Client()
                        response = client.get(url) if method == "GET" else client.post(url, {})
                    content = b"".join(response.streaming_content) if response.streaming else response.content
                    transaction.set_rollback(True)
                assert service.vault_is_sealed()
                text = content.decode("utf-8", "replace")
                where = f"{method} {url} as {who}"
                leaked = [secret for secret in secrets if secret in text]
                if leaked:
                    problems.append(f"{where} shows {leaked} while sealed")
                if _sealed_open(route):
                    if response.status_code >= 500:
                        problems.append(f"{where} answered {response.status_code} while sealed")
                    continue
                if response.status_code != 503:
                    problems.append(f"{where} answered {response.status_code} while sealed, expected 503")
                elif route.is_api:
                    if json.loads(content).get("error") != "sealed":
                        problems.append(f"{where}: sealed answer is not the API's JSON: {text[:100]}")
                elif "The vault is sealed" not in text or "/unseal/" not in text:
                    problems.append(f"{where}: the 503 is not the unseal page")
    assert problems == [], "\n".join(problems)
