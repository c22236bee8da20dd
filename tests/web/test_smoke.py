from __future__ import annotations

from passage.audit.chain import verify
from passage.audit.models import AuditEvent
from passage.cases import actions
from passage.cases.models import Case


def test_a_lawyer_sees_the_dashboard(as_lawyer, office):
    response = as_lawyer.get("/")
    assert response.status_code == 200
    assert office.case.code in response.content.decode()


def test_case_text_is_stored_encrypted_and_read_back(office):
    stored = Case.objects.get(pk=office.case.pk)
    assert b"Ivan" not in bytes(stored.true_name_enc)
    text = actions.read_case(office.lawyer, stored)
    assert text.narrative == "Left the unit in 2025."
    assert actions.reveal_true_name(office.lawyer, stored) == "Ivan Testov"
    assert AuditEvent.objects.filter(action="reveal").count() == 1
    assert verify() == []


def test_a_sealed_server_shows_the_unseal_page(as_lawyer, vault):
    vault.seal()
    response = as_lawyer.get("/")
    assert response.status_code == 503
    assert "sealed" in response.content.decode().lower()
