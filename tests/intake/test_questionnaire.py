"""The questionnaire: every question skippable, branching only where it matters, the engine's profile."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from passage.intake.questionnaire import STEPS, answers_from_facts, facts_of, next_step, profile_of
from tests.intake.conftest import Person


def started(person: Person) -> Person:
    person.get_codename()
    person.practise()
    return person


def test_every_step_can_be_skipped_entirely(db: Any, sealed_office: Any) -> None:
    person = started(Person(Client()))
    visited = []
    name: str | None = STEPS[0].name
    while name is not None:
        visited.append(name)
        response = person.post(f"/intake/q/{name}/", {"go": "next"})
        assert response.status_code == 302, name
        location = response["Location"]
        name = location.split("/q/")[1].strip("/") if "/q/" in location else None
    assert location == "/intake/files/"
    assert "passport" not in visited  # no passport said, so no expiry asked
    assert person.client.get("/intake/overview/").status_code == 200


def test_unknown_answers_state_no_fact() -> None:
    facts, evidence = facts_of(
        {"has_foreign_passport": "unknown", "situation": "unknown", "ties_to": [], "current_country": "other"}
    )
    assert facts == {}
    assert evidence == []


def test_none_of_these_is_an_answer_too() -> None:
    facts, _evidence = facts_of({"ties_to": [], "no_ties": True})
    assert facts == {"ties_to": []}


def test_the_situation_maps_to_the_engine_vocabulary() -> None:
    assert facts_of({"situation": "called_up"})[0] == {"military_status": "draft_evader", "summons_received": True}
    assert facts_of({"situation": "contract_left"})[0] == {"military_status": "deserter", "served_under_contract": True}
    assert facts_of({"situation": "objector"})[0] == {"military_status": "conscientious_objector"}


def test_branching_skips_only_what_makes_no_sense() -> None:
    assert next_step("documents", {"has_foreign_passport": "yes"}) == "passport"
    assert next_step("documents", {"has_foreign_passport": "unknown"}) == "situation"
    assert next_step("ties", {"current_country": "KZ"}) == "status"
    assert next_step("ties", {"current_country": "RU"}) == "evidence"  # still in Russia: no asylum abroad
    assert next_step("story", {}) is None


def test_back_keeps_what_was_typed(db: Any, sealed_office: Any) -> None:
    person = started(Person(Client()))
    response = person.post("/intake/q/documents/", {"has_internal_passport": "yes", "go": "back"})
    assert response["Location"] == "/intake/q/where/"
    page = person.client.get("/intake/q/documents/").content.decode()
    assert re.search(r'name="has_internal_passport" value="yes"[^>]*checked', page)


def test_a_date_in_the_future_is_explained(db: Any, sealed_office: Any) -> None:
    person = started(Person(Client()))
    response = person.post("/intake/q/where/", {"arrived_on": "2999-01-01", "go": "next"})
    assert response.status_code == 400
    assert "ещё не наступила" in response.content.decode()


def test_the_profile_is_checked_like_the_office_checks_it() -> None:
    profile = profile_of(
        {"current_country": "KZ", "arrived_on": "2026-09-01", "wanted_interstate": "yes", "evidence": ["summons"]}
    )
    assert profile.facts["current_country"] == "KZ"
    assert profile.facts["wanted_interstate"] is True
    assert profile.evidence == {"summons"}


def test_a_tampered_draft_cannot_break_the_overview() -> None:
    profile = profile_of({"current_country": "KZ", "arrived_on": "not a date", "evidence": ["nonsense"]})
    assert profile.facts == {"current_country": "KZ"}


def test_known_facts_survive_the_questionnaire_round_trip() -> None:
    facts = {
        "current_country": "GE",
        "has_foreign_passport": True,
        "military_status": "draft_evader",
        "summons_received": False,
        "ties_to": ["DE", "FR"],
    }
    assert facts_of(answers_from_facts(facts))[0] == facts
