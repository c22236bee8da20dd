"""Clients: list, create, read, facts — per role, with audit rows and nothing saved on errors."""

from __future__ import annotations

import json

import pytest

from passage.audit.chain import verify
from passage.audit.models import AuditEvent
from passage.cases import actions
from passage.cases.models import Case

SENSITIVE = ("Ivan Testov", "Vanya", "signal: +000", "Left the unit")


def _audit_text() -> str:
    rows = AuditEvent.objects.values_list("actor_label", "action", "target_type", "target_id", "fields", "detail")
    return json.dumps(list(rows), ensure_ascii=False, default=str)


# -- list ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("admin", {"case", "other_case"}),
        ("lawyer", {"case", "other_case"}),
        ("volunteer", {"case"}),
        ("volunteer_none", set()),
    ],
)
def test_the_list_shows_exactly_the_cases_the_role_may_see(api_as, office, who, visible):
    response = api_as(who).get("/api/v1/clients")
    assert response.status_code == 200
    data = response.json()
    assert {item["id"] for item in data["results"]} == {str(getattr(office, name).id) for name in visible}
    assert data["count"] == len(visible)


def test_the_list_holds_no_sensitive_text_and_is_audited(as_lawyer_api, office):
    response = as_lawyer_api.get("/api/v1/clients")
    text = response.content.decode()
    for secret in SENSITIVE:
        assert secret not in text
    item = next(item for item in response.json()["results"] if item["id"] == str(office.case.id))
    assert item["code"] == office.case.code
    assert item["current_country"] == "KZ"
    assert item["arrived_on"] == "2026-10-01"
    assert item["permitted_stay_ends"] == office.case.permitted_stay_ends.isoformat()
    assert item["wanted"] == {"federal": None, "interstate": True, "interpol": None}
    assert item["best_route"]["goal"] == office.case.best_route_goal
    event = AuditEvent.objects.filter(action="list").get()
    assert event.actor == office.lawyer
    assert event.detail == {"api": True, "count": 2, "offset": 0}


def test_the_list_pages(as_lawyer_api, office):
    first = as_lawyer_api.get("/api/v1/clients", {"limit": 1}).json()
    second = as_lawyer_api.get("/api/v1/clients", {"limit": 1, "offset": 1}).json()
    assert first["count"] == second["count"] == 2
    assert len(first["results"]) == len(second["results"]) == 1
    assert first["results"][0]["id"] != second["results"][0]["id"]


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"limit": "ten"}, {"offset": -1}])
def test_bad_paging_is_a_400_naming_the_parameter(as_lawyer_api, params):
    response = as_lawyer_api.get("/api/v1/clients", params)
    assert response.status_code == 400
    assert response.json()["field"] == next(iter(params))


# -- create --------------------------------------------------------------------------------------


def test_a_lawyer_creates_a_client_with_a_true_name_stored_encrypted(as_lawyer_api, office):
    body = {
        "true_name": "Grigory Canary",
        "aliases": ["Grisha"],
        "contacts": "threema: CANARY1",
        "narrative": "Crossed at Verkhny Lars.",
        "facts": {
            "citizenship": "RU",
            "current_country": "GE",
            "arrived_on": "2026-09-01",
            "military_status": "draft_evader",
        },
        "evidence": ["summons"],
    }
    response = as_lawyer_api.post("/api/v1/clients", body)
    assert response.status_code == 201
    data = response.json()
    assert response["Location"] == f"/api/v1/clients/{data['id']}"
    assert "Grigory" not in response.content.decode()
    assert data["current_country"] == "GE"
    case = Case.objects.get(pk=data["id"])
    assert b"Canary" not in bytes(case.true_name_enc)
    assert b"CANARY1" not in bytes(case.contacts_enc)
    assert actions.reveal_true_name(office.lawyer, case) == "Grigory Canary"
    assert actions.read_case(office.lawyer, case).evidence == ["summons"]
    created = AuditEvent.objects.get(action="create", target_id=str(case.id))
    assert created.actor == office.lawyer
    assert "true_name" in created.fields
    assert "Canary" not in _audit_text()
    assert "Grisha" not in _audit_text()


def test_a_volunteer_may_not_record_a_true_name(api_as):
    before = Case.objects.count()
    response = api_as("volunteer").post("/api/v1/clients", {"true_name": "Somebody", "aliases": ["S"]})
    assert response.status_code == 403
    assert response.json()["field"] == "true_name"
    assert Case.objects.count() == before


def test_a_volunteers_new_client_is_assigned_to_them(api_as, office):
    api = api_as("volunteer")
    response = api.post("/api/v1/clients", {"aliases": ["Misha"], "facts": {"citizenship": "RU"}})
    assert response.status_code == 201
    case = Case.objects.get(pk=response.json()["id"])
    assert list(case.assigned.all()) == [office.volunteer]
    assert api.get(f"/api/v1/clients/{case.id}").status_code == 200


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"facts": {"arrived_on": "2026-02-30"}}, "facts.arrived_on", "impossible date"),
        ({"facts": {"arrived_on": "2099-01-01"}}, "facts.arrived_on", "after as_of"),
        ({"facts": {"military_status": "general"}}, "facts.military_status", "must be one of"),
        ({"facts": {"wanted_interpol": "yes"}}, "facts.wanted_interpol", "true or false"),
        ({"facts": {"current_country": "Kazakhstan"}}, "facts.current_country", "two-letter country code"),
        ({"facts": {"favourite_colour": "red"}}, "facts.favourite_colour", "unknown field"),
        ({"evidence": ["photo_of_cat"]}, "evidence[0]", "must be one of"),
        ({"aliases": "Vanya"}, "aliases", "must be a list"),
        ({"aliases": [""]}, "aliases[0]", "must not be empty"),
        ({"name": "Ivan"}, "name", "unknown field 'name'"),
        ({"narrative": 5}, "narrative", "must be a string"),
    ],
)
def test_a_bad_client_is_one_clear_400_and_nothing_is_saved(as_lawyer_api, body, field, words):
    before = (Case.objects.count(), AuditEvent.objects.filter(action="create").count())
    response = as_lawyer_api.post("/api/v1/clients", body)
    assert response.status_code == 400
    data = response.json()
    assert data["field"] == field
    assert words in data["error"]
    assert (Case.objects.count(), AuditEvent.objects.filter(action="create").count()) == before


@pytest.mark.parametrize(
    ("raw", "content_type", "status", "words"),
    [
        ("{", "application/json", 400, "not valid JSON"),
        ("[]", "application/json", 400, "must be an object"),
        ('{"facts": NaN}', "application/json", 400, "NaN is not a JSON number"),
        ("[" * 100_000, "application/json", 400, "nested too deeply"),
        (b"\xff\xfe", "application/json", 400, "not UTF-8"),
        ('{"aliases": ["\\ud800"]}', "application/json", 400, "valid Unicode"),
        ("aliases=x", "application/x-www-form-urlencoded", 415, "Content-Type: application/json"),
    ],
)
def test_malformed_bodies_are_refused(as_lawyer_api, raw, content_type, status, words):
    response = as_lawyer_api.post("/api/v1/clients", raw=raw, content_type=content_type)
    assert response.status_code == status
    assert words in response.json()["error"]


def test_a_body_over_the_size_limit_is_a_413(as_lawyer_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = as_lawyer_api.post("/api/v1/clients", {"narrative": "x" * 2000})
    assert response.status_code == 413


# -- read ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "lawyer", "volunteer"])
def test_a_client_is_read_decrypted_without_the_true_name_and_audited(api_as, office, who):
    response = api_as(who).get(f"/api/v1/clients/{office.case.id}")
    assert response.status_code == 200
    data = response.json()
    assert data["aliases"] == ["Vanya"]
    assert data["contacts"] == "signal: +000"
    assert data["narrative"] == "Left the unit in 2025."
    assert data["facts"]["military_status"] == "deserter"
    assert data["facts"]["arrived_on"] == "2026-10-01"
    assert "true_name" not in data
    assert "Ivan Testov" not in response.content.decode()
    event = AuditEvent.objects.filter(action="read", target_id=str(office.case.id)).get()
    assert event.actor == getattr(office, who)
    assert event.fields == "aliases,contacts,facts,narrative"
    for secret in SENSITIVE:
        assert secret not in _audit_text()
    assert verify() == []


@pytest.mark.parametrize(
    ("who", "case"), [("volunteer", "other_case"), ("volunteer_none", "case"), ("volunteer_none", "other_case")]
)
def test_a_case_one_may_not_see_is_a_404_like_one_that_does_not_exist(api_as, office, who, case):
    api = api_as(who)
    hidden = api.get(f"/api/v1/clients/{getattr(office, case).id}")
    missing = api.get("/api/v1/clients/00000000-0000-4000-8000-000000000000")
    malformed = api.get("/api/v1/clients/not-a-uuid")
    assert hidden.status_code == missing.status_code == malformed.status_code == 404
    assert hidden.content == missing.content == malformed.content
    assert not AuditEvent.objects.filter(action="read").exists()


# -- facts ---------------------------------------------------------------------------------------


def test_put_replaces_the_facts_and_replans(as_lawyer_api, office):
    facts = {"citizenship": "RU", "current_country": "AM", "arrived_on": "2026-11-01", "wanted_federal": True}
    response = as_lawyer_api.put(f"/api/v1/clients/{office.case.id}/facts", {"facts": facts})
    assert response.status_code == 200
    data = response.json()
    assert data["current_country"] == "AM"
    assert data["wanted"] == {"federal": True, "interstate": None, "interpol": None}
    stored = actions.read_case(office.lawyer, Case.objects.get(pk=office.case.pk)).facts
    assert stored == facts
    event = AuditEvent.objects.get(action="update", target_id=str(office.case.id))
    assert event.fields == "facts"
    assert event.actor == office.lawyer


def test_patch_changes_only_the_facts_given_and_null_makes_a_fact_unknown(api_as, office):
    response = api_as("volunteer").patch(
        f"/api/v1/clients/{office.case.id}/facts",
        {"facts": {"wanted_interstate": None, "wanted_interpol": False}, "evidence": ["summons"]},
    )
    assert response.status_code == 200
    text = actions.read_case(office.lawyer, Case.objects.get(pk=office.case.pk))
    assert text.facts == {
        "citizenship": "RU", "current_country": "KZ", "arrived_on": "2026-10-01",
        "military_status": "deserter", "wanted_interpol": False,
    }  # fmt: skip
    assert text.evidence == ["summons"]
    assert response.json()["wanted"] == {"federal": None, "interstate": None, "interpol": False}


def test_put_keeps_the_evidence_when_none_is_given(as_lawyer_api, office):
    as_lawyer_api.patch(f"/api/v1/clients/{office.case.id}/facts", {"evidence": ["summons"]})
    as_lawyer_api.put(f"/api/v1/clients/{office.case.id}/facts", {"facts": {"citizenship": "RU"}})
    text = actions.read_case(office.lawyer, Case.objects.get(pk=office.case.pk))
    assert text.facts == {"citizenship": "RU"}
    assert text.evidence == ["summons"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"facts": {"arrived_on": "2099-12-31"}}, "facts.arrived_on"),
        ({"facts": {"arrived_on": "1066-10-14"}}, "facts.arrived_on"),
        ({"facts": {"unknown_fact": True}}, "facts.unknown_fact"),
        ({"evidence": ["summons", "summons"]}, "evidence[1]"),
        ({"facts": {"citizenship": "RU"}, "extra": 1}, "extra"),
    ],
)
def test_bad_facts_are_a_400_and_nothing_is_saved(as_lawyer_api, office, body, field):
    before = bytes(Case.objects.get(pk=office.case.pk).facts_enc)
    for method in (as_lawyer_api.patch, as_lawyer_api.put):
        response = method(f"/api/v1/clients/{office.case.id}/facts", {"facts": {}} | body)
        assert response.status_code == 400, response.content
        assert response.json()["field"] == field
        assert set(response.json()) == {"error", "field"}
    assert bytes(Case.objects.get(pk=office.case.pk).facts_enc) == before
    assert not AuditEvent.objects.filter(action="update").exists()


def test_put_needs_the_facts(as_lawyer_api, office):
    response = as_lawyer_api.put(f"/api/v1/clients/{office.case.id}/facts", {"evidence": []})
    assert response.status_code == 400
    assert response.json() == {"error": "facts is required", "field": "facts"}


def test_facts_of_a_case_one_may_not_see_are_not_changed(api_as, office):
    before = bytes(Case.objects.get(pk=office.other_case.pk).facts_enc)
    response = api_as("volunteer").put(f"/api/v1/clients/{office.other_case.id}/facts", {"facts": {}})
    assert response.status_code == 404
    assert bytes(Case.objects.get(pk=office.other_case.pk).facts_enc) == before
