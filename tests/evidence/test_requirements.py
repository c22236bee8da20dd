"""Which evidence supports which requirement of the route plan, and what is still missing."""

from __future__ import annotations

from passage.audit.models import AuditEvent
from passage.cases import actions as case_actions
from passage.evidence import actions
from passage.evidence.models import EvidenceLink
from passage.evidence.requirements import record_held_kinds, support_for_case, support_for_plan
from tests.evidence import files
from tests.evidence.conftest import add


def _requirement_needing(support, kind):
    for pathway in support:
        for requirement in pathway.requirements:
            if kind in requirement.kinds:
                return pathway, requirement
    raise AssertionError(f"no requirement needs {kind}")


def test_items_support_requirements_that_need_their_kind(office):
    item = add(office, files.text_pdf("summons"), kind="summons")
    _plan, support = support_for_case(office.lawyer, office.case)
    _pathway, requirement = _requirement_needing(support, "summons")
    assert [entry.item.id for entry in requirement.supports] == [item.id]
    assert "summons" not in requirement.missing_kinds
    _p, other = _requirement_needing(support, "proof_antiwar_activity")
    assert "proof_antiwar_activity" in other.missing_kinds


def test_a_lawyer_links_an_item_by_hand(lawyer_client, office):
    item = add(office, files.text_pdf("letter from an NGO"), kind="proof_of_ties")
    plan = case_actions.case_plan(office.lawyer, office.case)
    pathway = plan.pathways[0]
    requirement = pathway.requirements[0].requirement
    response = lawyer_client.post(
        f"/evidence/item/{item.id}/links/", {"requirement": f"{pathway.pathway.id}|{requirement.id}"}
    )
    assert response.status_code == 302
    link = EvidenceLink.objects.get()
    assert (link.pathway_id, link.requirement_id) == (pathway.pathway.id, requirement.id)
    support = support_for_plan(office.case, plan, [pathway.pathway.id])[0]
    supports = next(entry for entry in support.requirements if entry.requirement_id == requirement.id).supports
    assert any(entry.item.id == item.id and entry.link is not None for entry in supports)
    assert AuditEvent.objects.filter(action="evidence_linked", target_id=str(item.id)).exists()
    page = lawyer_client.get(f"/evidence/case/{office.case.id}/requirements/").content.decode()
    assert "linked by hand" in page and item.label in page
    lawyer_client.post(f"/evidence/links/{link.pk}/delete/", {"back": "requirements"})
    assert not EvidenceLink.objects.exists()


def test_unknown_requirements_cannot_be_linked(office):
    import pytest

    item = add(office, files.text_pdf("x"))
    with pytest.raises(KeyError):
        actions.link_requirement(office.lawyer, item, "no-such-pathway", "x")


def test_held_kinds_can_be_recorded_in_the_facts(office):
    add(office, files.text_pdf("summons"), kind="summons")
    assert record_held_kinds(office.lawyer, office.case) == ["summons"]
    assert "summons" in case_actions.case_profile(office.case).evidence
    assert record_held_kinds(office.lawyer, office.case) == []


def test_volunteers_see_the_requirements_page_but_cannot_link(client, office):
    from tests.conftest import verified_client

    add(office, files.text_pdf("summons"), kind="summons")
    volunteer = verified_client(client, office.volunteer)
    page = volunteer.get(f"/evidence/case/{office.case.id}/requirements/")
    assert page.status_code == 200 and "E1" in page.content.decode()
    assert volunteer.post(f"/evidence/case/{office.case.id}/links/", {}).status_code == 403
