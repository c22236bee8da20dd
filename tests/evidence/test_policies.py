"""Every evidence and dossier route declares who may open it; content routes are for lawyers only."""

from __future__ import annotations

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from passage.accounts.access import LAWYERS, policy_of


def _routes(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


MINE = ("evidence/", "dossiers/", "api/v1/clients/<str:client_id>/evidence", "api/v1/evidence/")
LAWYERS_ONLY = (
    "download",
    "search",
    "translations/",
    "dossiers/",
    "/content",
    "/delete/",
    "/edit/",
    "/ocr/",
    "/verify/",
    "links/",
)


def _mine():
    return [(route, view) for route, view in _routes(get_resolver().url_patterns) if route.startswith(MINE)]


def test_every_route_has_a_policy():
    routes = _mine()
    assert len(routes) >= 25
    for route, view in routes:
        policy = policy_of(view)
        assert policy is not None and not policy.public, route


@pytest.mark.parametrize("route", [route for route, _view in _mine() if any(word in route for word in LAWYERS_ONLY)])
def test_content_routes_are_for_lawyers_and_admins(route):
    view = dict(_mine())[route]
    assert set(policy_of(view).roles) == {str(role) for role in LAWYERS}, route


def _url(route):
    for name in ("case_id", "item_id", "translation_id", "dossier_id", "client_id", "evidence_id"):
        route = route.replace(f"<uuid:{name}>", str(uuid.uuid4())).replace(f"<str:{name}>", str(uuid.uuid4()))
    return "/" + route.replace("<int:link_id>", "1").replace("<str:language>", "de")


@pytest.mark.parametrize("route", [route for route, _view in _mine() if not route.startswith("api/")])
def test_the_volunteer_without_cases_gets_nothing(client, office, route):
    from tests.conftest import verified_client

    nobody = verified_client(client, office.volunteer_none)
    for method in (nobody.get, nobody.post):
        assert method(_url(route)).status_code in (403, 404, 405), route


@pytest.mark.parametrize("route", [route for route, _view in _mine() if not route.startswith("api/")])
def test_anonymous_visitors_are_sent_to_the_login(client, vault, route):
    response = client.get(_url(route))
    assert response.status_code in (302, 403, 503) and "/accounts/" in response.get("Location", "/accounts/")
