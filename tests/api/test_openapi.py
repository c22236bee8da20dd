"""The OpenAPI document and the validator that enforces its request schemas."""

from __future__ import annotations

import json

import pytest

from passage.api.openapi import PLAN_SCHEMA_PATH, document, request_schema
from passage.api.validate import Invalid, check
from passage.cases.actions import knowledge

REQUESTS = ["ClientCreate", "FactsReplace", "FactsPatch", "LetterCreate", "LetterUpdate", "TaskCreate", "TaskUpdate"]


def _fails(name: str, body: object) -> Invalid:
    schema, components = request_schema(name)
    with pytest.raises(Invalid) as caught:
        check(body, schema, components)
    return caught.value


def test_the_plan_response_is_the_engine_contract_unchanged(office):
    contract = json.loads(PLAN_SCHEMA_PATH.read_text(encoding="utf-8"))
    schemas = document()["components"]["schemas"]
    plan = schemas["Plan"]
    assert plan["required"] == contract["required"]
    assert plan["properties"]["pathways"] == {"type": "array", "items": {"$ref": "#/components/schemas/Plan_pathway"}}
    for name, definition in contract["$defs"].items():
        hoisted = json.dumps(schemas[f"Plan_{name}"])
        assert hoisted == json.dumps(definition).replace("#/$defs/", "#/components/schemas/Plan_")
    ok = document()["paths"]["/clients/{client_id}/plan"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Plan"}


def test_the_facts_schema_is_the_knowledge_base_vocabulary(office):
    facts = document()["components"]["schemas"]["Facts"]
    assert set(facts["properties"]) == set(knowledge().facts)
    assert facts["additionalProperties"] is False


def test_every_operation_documents_401_403_and_503(office):
    for path, item in document()["paths"].items():
        for method, operation in item.items():
            assert "503" in operation["responses"], (path, method)
            if path != "/schema":
                assert {"401", "403"} <= set(operation["responses"]), (path, method)
                assert operation["security"][0]["bearer"], (path, method)
            if "requestBody" in operation:
                assert {"400", "413", "415"} <= set(operation["responses"]), (path, method)
            if "{" in path:
                assert "404" in operation["responses"], (path, method)


@pytest.mark.parametrize("name", REQUESTS)
def test_every_request_schema_uses_only_what_the_validator_knows(office, name):
    schema, components = request_schema(name)
    try:
        check({}, schema, components)
    except Invalid:
        pass  # a required field is missing: fine, the point is that no keyword is unknown


def test_the_validator_names_the_field_in_one_sentence(office):
    assert (
        str(_fails("ClientCreate", {"facts": {"arrived_on": "2126-01-01"}}))
        == "facts.arrived_on must be a date between 1900-01-01 and 2099-12-31"
    )
    assert _fails("ClientCreate", {"facts": {"arrived_on": "2026-02-30"}}).field == "facts.arrived_on"
    assert (
        str(_fails("ClientCreate", {"facts": {"arrived_on": "20260201"}}))
        == "facts.arrived_on must be a date YYYY-MM-DD"
    )
    assert str(_fails("ClientCreate", {"aliases": ["a", 3]})) == "aliases[1] must be a string"
    assert str(_fails("TaskCreate", {"due_on": "2026-01-01"})) == "title is required"
    assert str(_fails("TaskUpdate", {"done": 1})) == "done must be true or false"
    unknown = _fails("TaskUpdate", {"done": True, "why": "x"})
    assert (str(unknown), unknown.field) == ("unknown field 'why' (expected: done)", "why")
    assert str(_fails("TaskUpdate", [])) == "the request body must be an object"
    assert str(_fails("ClientCreate", {"evidence": ["summons", "summons"]})) == "evidence lists 'summons' twice"
    assert (
        str(_fails("ClientCreate", {"facts": {"citizenship": "ru"}}))
        == "facts.citizenship must be a two-letter country code like KZ"
    )
    assert (
        str(_fails("LetterCreate", {"institution": "x", "date": "2026-01-01", "subject": ""}))
        == "institution must be an id (a UUID)"
    )


def test_null_is_accepted_for_a_fact_and_means_unknown(office):
    schema, components = request_schema("FactsPatch")
    check({"facts": {"military_status": None, "wanted_interpol": None}}, schema, components)
    assert "facts.military_status must be one of" in str(_fails("FactsPatch", {"facts": {"military_status": "x"}}))


def test_an_unsupported_keyword_is_a_programming_error():
    with pytest.raises(ValueError, match="not supported"):
        check(1, {"oneOf": []}, {})
    with pytest.raises(ValueError, match="only local component references"):
        check(1, {"$ref": "http://example.org/x"}, {})
