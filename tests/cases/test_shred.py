"""Crypto-shredding a case from its page: a typed confirmation, then it is gone for everyone."""

from __future__ import annotations

import pytest

from passage.audit.models import AuditEvent
from passage.cases import actions
from passage.cases.models import Case, CaseAlias, CaseStatus
from passage.sealing.models import CaseKey
from passage.sealing.service import case_cipher
from passage.vault import VaultError
from tests.conftest import verified_client


def test_it_asks_for_the_case_code_first(as_lawyer, office):
    page = as_lawyer.get(f"/cases/{office.case.id}/shred/").content.decode()
    assert "This cannot be undone." in page and 'name="code"' in page
    assert f'href="/cases/{office.case.id}/shred/"' in as_lawyer.get(f"/cases/{office.case.id}/").content.decode()


def test_it_destroys_nothing_for_a_wrong_code(as_lawyer, office):
    response = as_lawyer.post(f"/cases/{office.case.id}/shred/", {"code": office.other_case.code})
    assert response.status_code == 400
    assert "Nothing was destroyed." in response.content.decode()
    assert Case.objects.get(pk=office.case.pk).status == CaseStatus.ACTIVE
    assert CaseKey.objects.filter(case_id=office.case.pk).exists()


def test_it_shreds_the_case_for_everyone(client, as_lawyer, office):
    response = as_lawyer.post(f"/cases/{office.case.id}/shred/", {"code": office.case.code.lower()})
    assert response.status_code == 302 and response["Location"] == "/"
    case = Case.objects.get(pk=office.case.pk)
    assert case.status == CaseStatus.SHREDDED
    assert case.true_name_enc is None and case.narrative_enc is None and case.facts_enc is None
    assert not CaseKey.objects.filter(case_id=case.pk).exists()
    assert not CaseAlias.objects.filter(case=case).exists()
    with pytest.raises(VaultError):
        case_cipher(case.pk)
    shred = AuditEvent.objects.get(action="shred")
    assert shred.actor == office.lawyer and shred.target_id == str(case.pk)
    for person in (office.admin, office.lawyer, office.volunteer):
        visitor = verified_client(client, person)
        assert visitor.get(f"/cases/{case.id}/").status_code == 404
        assert case.code not in visitor.get("/").content.decode()
        assert case.code not in visitor.get("/cases/", {"closed": "on"}).content.decode()
    assert actions.find_cases_by_alias(office.lawyer, "Vanya") == []


def test_it_refuses_a_volunteer_the_shredding(as_volunteer, office):
    assert as_volunteer.get(f"/cases/{office.case.id}/shred/").status_code == 403
    assert as_volunteer.post(f"/cases/{office.case.id}/shred/", {"code": office.case.code}).status_code == 403
    assert Case.objects.get(pk=office.case.pk).status == CaseStatus.ACTIVE
    assert not AuditEvent.objects.filter(action="shred").exists()


def test_it_lets_an_admin_shred(as_admin, office):
    as_admin.post(f"/cases/{office.other_case.id}/shred/", {"code": office.other_case.code})
    assert Case.objects.get(pk=office.other_case.pk).status == CaseStatus.SHREDDED
