"""GET /api/v1/clients/{id}/plan: exactly the engine's JSON contract."""

from __future__ import annotations

import json

import jsonschema_rs
import pytest

from passage.api.openapi import PLAN_SCHEMA_PATH
from passage.audit.models import AuditEvent
from passage.cases import actions
from passage.routes import make_plan, plan_json

CONTRACT = jsonschema_rs.validator_for(json.loads(PLAN_SCHEMA_PATH.read_text(encoding="utf-8")))


@pytest.mark.parametrize("who", ["admin", "lawyer", "volunteer"])
def test_the_plan_fits_the_contract_schema(api_as, office, who):
    response = api_as(who).get(f"/api/v1/clients/{office.case.id}/plan")
    assert response.status_code == 200
    plan = response.json()
    CONTRACT.validate(plan)
    assert plan["profile"] == office.case.code
    assert plan["pathways"]
    assert plan["routes"][0]["goal"] == office.case.best_route_goal


def test_the_plan_is_the_engines_own_output(as_lawyer_api, office):
    expected = plan_json(make_plan(actions.case_profile(office.case), actions.knowledge()), "en")
    assert as_lawyer_api.get(f"/api/v1/clients/{office.case.id}/plan").json() == expected


def test_the_plan_speaks_russian_on_request(as_lawyer_api, office):
    english = as_lawyer_api.get(f"/api/v1/clients/{office.case.id}/plan").json()
    russian = as_lawyer_api.get(f"/api/v1/clients/{office.case.id}/plan", {"lang": "ru"}).json()
    CONTRACT.validate(russian)
    assert [p["id"] for p in russian["pathways"]] == [p["id"] for p in english["pathways"]]
    assert russian["pathways"][0]["name"] != english["pathways"][0]["name"]
    assert any("\u0400" <= char <= "\u04ff" for char in russian["pathways"][0]["name"])


def test_an_unknown_language_is_a_400(as_lawyer_api, office):
    response = as_lawyer_api.get(f"/api/v1/clients/{office.case.id}/plan", {"lang": "de"})
    assert response.status_code == 400
    assert response.json() == {"error": "lang must be one of: en, ru", "field": "lang"}


def test_reading_the_plan_is_audited_as_a_read_of_the_facts(as_lawyer_api, office):
    as_lawyer_api.get(f"/api/v1/clients/{office.case.id}/plan")
    event = AuditEvent.objects.get(action="read", target_id=str(office.case.id))
    assert event.actor == office.lawyer
    assert event.fields == "facts"
    assert event.detail == {"view": "plan"}


@pytest.mark.parametrize(("who", "case"), [("volunteer", "other_case"), ("volunteer_none", "case")])
def test_the_plan_of_a_case_one_may_not_see_is_a_404(api_as, office, who, case):
    response = api_as(who).get(f"/api/v1/clients/{getattr(office, case).id}/plan")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="read").exists()


def test_the_plan_needs_the_plan_scope(api_as, office):
    response = api_as("lawyer", ["cases:read"]).get(f"/api/v1/clients/{office.case.id}/plan")
    assert response.status_code == 403
    assert response.json()["scope"] == "plan:read"
