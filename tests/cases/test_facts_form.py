"""The facts form generated from the knowledge base's vocabulary."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from passage.audit.models import AuditEvent
from passage.cases import actions
from passage.cases.facts_form import FactsForm
from passage.cases.models import Case


def _form_data(office: Any, **changes: Any) -> dict[str, Any]:
    """What the browser sends for the fixture case's current facts, with some answers changed."""
    stored = actions.read_case(office.lawyer, Case.objects.get(pk=office.case.pk))
    form = FactsForm(lang="en", facts=stored.facts, evidence=stored.evidence)
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form.initial.get(name)
        if value in (None, False, []):
            continue
        data[name] = "on" if value is True else value
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _facts(case: Case) -> dict[str, Any]:
    return actions.read_case(None, Case.objects.get(pk=case.pk)).facts


def test_it_offers_a_field_for_every_fact_grouped_with_labels(as_lawyer, office):
    page = as_lawyer.get(f"/cases/{office.case.id}/facts/").content.decode()
    kb = actions.knowledge()
    for fact in kb.facts.values():
        assert f'name="fact_{fact.id}"' in page
        assert fact.label.en in page
    for kind in kb.evidence.values():
        assert f'name="evidence_{kind.id}"' in page
    assert page.count("<legend>") >= len({fact.group for fact in kb.facts.values()}) + 1
    assert "<legend>Military service</legend>" in page
    assert "<script" not in page


def test_it_speaks_russian_to_a_russian_user(as_lawyer, office):
    as_lawyer.post("/i18n/setlang/", {"language": "ru"})
    page = as_lawyer.get(f"/cases/{office.case.id}/facts/").content.decode()
    fact = actions.knowledge().facts["wanted_interpol"]
    assert fact.label.ru in page and fact.description.ru in page
    assert "Казахстан" in page


def test_it_fills_in_what_is_known(as_lawyer, office):
    page = as_lawyer.get(f"/cases/{office.case.id}/facts/").content.decode()
    assert 'value="KZ" selected' in page
    assert 'value="2026-10-01"' in page
    assert 'name="fact_wanted_interstate" value="yes" id="id_fact_wanted_interstate_1" checked' in page
    assert 'name="fact_wanted_interpol" value="unknown" id="id_fact_wanted_interpol_0" checked' in page


def test_it_saves_facts_and_evidence_and_replans(as_lawyer, office):
    data = _form_data(
        office,
        fact_current_country="AM",
        fact_wanted_federal="yes",
        fact_has_foreign_passport="no",
        evidence_military_id="on",
        fact_ties_to=["DE", "IL"],
    )
    response = as_lawyer.post(f"/cases/{office.case.id}/facts/", data)
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{office.case.id}/plan/"
    case = Case.objects.get(pk=office.case.pk)
    facts = _facts(case)
    assert (
        facts["current_country"] == "AM" and facts["wanted_federal"] is True and facts["has_foreign_passport"] is False
    )
    assert facts["ties_to"] == ["DE", "IL"]
    assert actions.read_case(None, case).evidence == ["military_id"]
    assert case.current_country == "AM" and case.wanted_federal is True
    assert case.stay_rule == "am-stay-visa-free"  # the summary was recomputed from the new facts
    assert b"AM" not in bytes(case.facts_enc)
    assert AuditEvent.objects.filter(action="update", target_id=str(case.pk), fields="facts").count() == 1


def test_it_treats_i_dont_know_as_unknown_not_no(as_lawyer, office):
    as_lawyer.post(f"/cases/{office.case.id}/facts/", _form_data(office, fact_wanted_interstate="unknown"))
    facts = _facts(office.case)
    assert "wanted_interstate" not in facts
    assert Case.objects.get(pk=office.case.pk).wanted_interstate is None


def test_it_leaves_an_enum_unknown_and_keeps_none_of_the_countries_apart_from_unknown(as_lawyer, office):
    as_lawyer.post(
        f"/cases/{office.case.id}/facts/", _form_data(office, fact_military_status="", fact_residence_permit_in=["-"])
    )
    facts = _facts(office.case)
    assert "military_status" not in facts
    assert facts["residence_permit_in"] == []  # known: none
    assert "ties_to" not in facts  # nothing ticked: unknown


def test_it_refuses_bad_input_with_one_message_per_field_and_saves_nothing(as_lawyer, office):
    before = bytes(Case.objects.get(pk=office.case.pk).facts_enc)
    events = AuditEvent.objects.filter(action="update").count()
    data = _form_data(
        office, fact_arrived_on="2026-02-30", fact_military_status="general", fact_has_foreign_passport="maybe"
    )
    response = as_lawyer.post(f"/cases/{office.case.id}/facts/", data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was saved" in page
    assert page.count('<ul class="errorlist"') == 3
    assert bytes(Case.objects.get(pk=office.case.pk).facts_enc) == before
    assert AuditEvent.objects.filter(action="update").count() == events


def test_it_refuses_an_arrival_in_the_future(as_lawyer, office):
    tomorrow = (actions.today() + timedelta(days=1)).isoformat()
    response = as_lawyer.post(f"/cases/{office.case.id}/facts/", _form_data(office, fact_arrived_on=tomorrow))
    assert response.status_code == 400
    assert "This date is in the future." in response.content.decode()
    assert _facts(office.case)["arrived_on"] == "2026-10-01"


def test_it_refuses_none_together_with_countries(as_lawyer, office):
    response = as_lawyer.post(f"/cases/{office.case.id}/facts/", _form_data(office, fact_ties_to=["-", "DE"]))
    assert response.status_code == 400
    assert "not both" in response.content.decode()


def test_it_pins_an_engine_refusal_to_the_field_at_fault():
    form = FactsForm({"fact_citizenship": "RU"}, lang="en")
    assert form.is_valid()
    form.cleaned_data["fact_current_country"] = "Kazakhstan"  # as if it slipped past the field
    form._engine_check()
    assert list(form.errors) == ["fact_current_country"]
    assert "two-letter country code" in form.errors["fact_current_country"][0]


def test_it_lets_a_volunteer_edit_the_facts_of_the_assigned_case(as_volunteer, office):
    response = as_volunteer.post(f"/cases/{office.case.id}/facts/", _form_data(office, fact_summons_received="yes"))
    assert response.status_code == 302
    assert _facts(office.case)["summons_received"] is True


def test_it_decrypts_and_audits_only_the_facts(as_lawyer, office):
    as_lawyer.get(f"/cases/{office.case.id}/facts/")
    read = AuditEvent.objects.get(action="read", target_id=str(office.case.pk))
    assert read.fields == "facts" and read.actor == office.lawyer
