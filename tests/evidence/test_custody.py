"""Every action on an item is in the audit chain, and the item's history page shows it in order."""

from __future__ import annotations

from passage.audit.chain import verify
from passage.audit.models import AuditEvent
from passage.cases import actions as case_actions
from passage.evidence import actions, translations
from passage.evidence.jobs import run_ocr
from tests.evidence import files
from tests.evidence.conftest import add


def test_the_history_shows_every_custody_action_oldest_first(lawyer_client, office):
    item = add(office, files.jpeg_with_gps(), kind="proof_of_threats", title="Photo of the threat")
    run_ocr(item.id)
    lawyer_client.get(f"/evidence/item/{item.id}/")
    b"".join(lawyer_client.get(f"/evidence/item/{item.id}/download/").streaming_content)
    translations.save_translation(office.lawyer, item, language="en", status="certified", text="Threat", translator="T")
    plan_pathway = case_actions.case_plan(office.lawyer, office.case).pathways[0]
    actions.link_requirement(office.lawyer, item, plan_pathway.pathway.id, plan_pathway.requirements[0].requirement.id)
    lawyer_client.post(f"/evidence/item/{item.id}/edit/", {"kind": "proof_of_threats", "title": "Photo", "language": "ru",
                                                         "provenance": "messenger", "provenance_note": ""})  # fmt: skip
    lawyer_client.post(f"/evidence/item/{item.id}/delete/", {"confirm": "on"})
    expected = ["evidence_added", "ocr_done", "evidence_viewed", "evidence_downloaded", "translation_added",
                "evidence_linked", "evidence_updated", "evidence_deleted"]  # fmt: skip
    recorded = list(actions.custody(item).values_list("action", flat=True))
    assert [action for action in recorded if action in expected] == expected
    page = lawyer_client.get(f"/evidence/item/{item.id}/history/").content.decode()
    positions = [page.index(label) for label in ("added to the locker", "text read", "downloaded", "translation added",
                                                 "linked to a requirement", "deleted (file and key destroyed)")]  # fmt: skip
    assert positions == sorted(positions)
    assert "lena-lawyer" in page and "system:ocr" in page
    assert verify() == []


def test_deleting_destroys_the_file_and_key_but_keeps_the_history(lawyer_client, office, private_media):
    from passage.evidence.models import EvidenceItem

    item = add(office, files.text_pdf("to delete"))
    assert lawyer_client.post(f"/evidence/item/{item.id}/delete/", {}).status_code == 400
    lawyer_client.post(f"/evidence/item/{item.id}/delete/", {"confirm": "on"})
    item = EvidenceItem.objects.get(pk=item.pk)
    assert item.status == "deleted" and item.file_key_enc is None and item.sha256_enc is None
    assert not list(private_media.rglob("*.enc"))
    assert lawyer_client.get(f"/evidence/item/{item.id}/download/").status_code == 302
    assert lawyer_client.get(f"/evidence/item/{item.id}/history/").status_code == 200
    assert AuditEvent.objects.filter(action="evidence_deleted", target_id=str(item.id)).count() == 1


def test_crypto_shredding_the_case_makes_its_evidence_unreadable(office):
    import pytest

    from passage.sealing import service
    from passage.vault import VaultError

    item = add(office, files.text_pdf("shred me"))
    service.delete_case_key(office.case.id, actor=office.lawyer)
    with pytest.raises(VaultError):
        actions.read_plaintext(office.lawyer, item, during="check")
