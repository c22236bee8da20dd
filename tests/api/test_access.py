"""Every endpoint × every role × a visible and an invisible case; scopes; 401; 405; sealed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.urls import URLPattern, get_resolver

from passage.accounts.access import policy_of
from passage.api.openapi import document
from passage.cases import actions
from passage.cases.models import Institution
from tests.api.conftest import EVERY_SCOPE, Api, issue


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # {case}, {letter}, {task} are filled in per target case
    scope: str
    success: int = 200
    body: Any = None

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


ENDPOINTS = [
    Endpoint("GET", "/api/v1/clients", "cases:read"),
    Endpoint("POST", "/api/v1/clients", "cases:write", 201, {"aliases": ["Alias"]}),
    Endpoint("GET", "/api/v1/clients/{case}", "cases:read"),
    Endpoint("PUT", "/api/v1/clients/{case}/facts", "cases:write", body={"facts": {"citizenship": "RU"}}),
    Endpoint("PATCH", "/api/v1/clients/{case}/facts", "cases:write", body={"facts": {"wanted_interpol": False}}),
    Endpoint("GET", "/api/v1/clients/{case}/plan", "plan:read"),
    Endpoint("GET", "/api/v1/clients/{case}/letters", "letters:read"),
    Endpoint("POST", "/api/v1/clients/{case}/letters", "letters:write", 201, {"date": "2026-11-02", "subject": "S"}),
    Endpoint("GET", "/api/v1/letters/{letter}", "letters:read"),
    Endpoint("PATCH", "/api/v1/letters/{letter}", "letters:write", body={"reply_status": "no_answer"}),
    Endpoint("GET", "/api/v1/clients/{case}/tasks", "tasks:read"),
    Endpoint("POST", "/api/v1/clients/{case}/tasks", "tasks:write", 201, {"title": "T", "due_on": "2026-12-01"}),
    Endpoint("PATCH", "/api/v1/tasks/{task}", "tasks:write", body={"done": True}),
    Endpoint("GET", "/api/v1/institutions", "letters:read"),
]
# Which target cases each role may see (the volunteer is assigned to ``case`` only).
VISIBLE = {
    "admin": {"case", "other_case"},
    "lawyer": {"case", "other_case"},
    "volunteer": {"case"},
    "volunteer_none": set(),
}


@pytest.fixture
def targets(office: Any) -> dict[str, dict[str, str]]:
    """Ids to fill into the paths, for the volunteer's case and for the other one."""
    institution = Institution.objects.order_by("name").first()
    ids = {}
    for name in ("case", "other_case"):
        case = getattr(office, name)
        letter = actions.record_letter(
            office.lawyer, case, institution=institution, direction="out", channel="email",
            sent_on=date(2026, 11, 1), subject="S", body="B",
        )  # fmt: skip
        task = actions.add_task(office.lawyer, case, title="T", due_on=date(2026, 12, 1))
        ids[name] = {
            "case": str(case.id),
            "letter": str(letter.id),
            "task": str(task.id),
            "institution": str(institution.id),
        }
    return ids


def _call(api: Api, endpoint: Endpoint, ids: dict[str, str]) -> Any:
    path = endpoint.path.format(**ids)
    if endpoint.method == "GET":
        return api.get(path)
    body = dict(endpoint.body)
    if endpoint.path.endswith("/letters"):
        body["institution"] = ids["institution"]
    return api.send(endpoint.method, path, body)


def _concerns_a_case(endpoint: Endpoint) -> bool:
    return "{" in endpoint.path


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_every_endpoint_answers_each_role_as_the_web_app_would(api_as, targets, endpoint, who):
    api = api_as(who)
    for target in ("case", "other_case") if _concerns_a_case(endpoint) else ("case",):
        response = _call(api, endpoint, targets[target])
        visible = target in VISIBLE[who] or not _concerns_a_case(endpoint)
        expected = endpoint.success if visible else 404
        assert response.status_code == expected, (target, response.content)
        assert response["Content-Type"] == "application/json"
        if not visible:
            assert response.json() == {"error": "not found"}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_every_endpoint_needs_its_scope_and_no_other(api_as, targets, endpoint):
    others = [scope for scope in EVERY_SCOPE if scope != endpoint.scope]
    refused = _call(api_as("lawyer", others), endpoint, targets["case"])
    assert refused.status_code == 403
    assert refused.json() == {"error": f"this token lacks the scope '{endpoint.scope}'", "scope": endpoint.scope}
    assert 'error="insufficient_scope"' in refused["WWW-Authenticate"]
    allowed = _call(api_as("lawyer", [endpoint.scope]), endpoint, targets["case"])
    assert allowed.status_code == endpoint.success


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_every_endpoint_needs_a_token_before_anything_else(client, targets, endpoint):
    response = _call(Api(client, None), endpoint, targets["other_case"])
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="passage"'


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_a_sealed_office_answers_every_endpoint_with_503(api_as, vault, targets, endpoint):
    api = api_as("lawyer")
    vault.seal()
    response = _call(api, endpoint, targets["case"])
    assert response.status_code == 503
    assert response.json()["error"] == "sealed"


def test_a_sealed_office_does_not_serve_the_schema_either(client, vault):
    vault.seal()
    assert client.get("/api/v1/schema").status_code == 503


def test_other_methods_are_405_with_the_allowed_ones(as_lawyer_api, office):
    response = as_lawyer_api.send("DELETE", f"/api/v1/clients/{office.case.id}")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json() == {"error": "use GET on this URL"}


def test_a_post_to_the_schema_is_the_apis_405_even_with_csrf_checks(office):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/api/v1/schema", "{}", content_type="application/json")
    assert response.status_code == 405
    assert response.json() == {"error": "use GET on this URL"}


def _api_patterns() -> list[URLPattern]:
    resolver = get_resolver()
    api = next(p for p in resolver.url_patterns if getattr(p, "namespace", None) == "api")
    return list(api.url_patterns)


def test_every_api_view_declares_its_policy_and_scopes():
    for pattern in _api_patterns():
        policy = policy_of(pattern.callback)
        assert policy is not None, pattern
        if pattern.name == "schema":
            assert policy.public
            continue
        assert set(policy.roles) == {"admin", "lawyer", "volunteer"}
        scopes = pattern.callback.passage_api_scopes
        assert scopes and set(scopes.values()) <= set(EVERY_SCOPE)
        assert getattr(pattern.callback, "csrf_exempt", False)


def test_the_schema_describes_exactly_the_routes_and_scopes_served():
    paths = document()["paths"]
    served = {}
    for pattern in _api_patterns():
        path = "/" + str(pattern.pattern).replace("<str:", "{").replace(">", "}")
        scopes = getattr(pattern.callback, "passage_api_scopes", {"GET": None})
        served[path] = {method.lower(): scope for method, scope in scopes.items()}
    described = {
        path: {method: (op["security"][0]["bearer"][0] if op["security"] else None) for method, op in item.items()}
        for path, item in paths.items()
    }
    assert described == served


def test_the_schema_is_public_json(client, office):
    response = client.get("/api/v1/schema")
    assert response.status_code == 200
    assert response.json()["openapi"] == "3.1.0"
    assert response["Cache-Control"] == "no-store"
    assert issue  # the schema needs no token
