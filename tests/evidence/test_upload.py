"""Uploading evidence through the staff form: encrypted as it streams, typed by content, audited."""

from __future__ import annotations

import hashlib

from passage.audit.models import AuditEvent
from passage.evidence.models import EvidenceItem, OcrStatus
from passage.sealing import service
from tests.evidence import files
from tests.evidence.conftest import store_files, upload


def test_it_stores_an_upload_encrypted_with_its_hash_type_and_audit_row(lawyer_client, office, private_media):
    data = files.text_pdf("Повестка CANARY-UPLOAD-1")
    response = upload(
        lawyer_client, office.case, data, "povestka.pdf", title="Summons from Novosibirsk", kind="summons"
    )
    assert response.status_code == 302
    item = EvidenceItem.objects.get(case=office.case)
    assert response["Location"] == f"/evidence/item/{item.id}/"
    assert (item.number, item.kind, item.media_type, item.size) == (1, "summons", "application/pdf", len(data))
    assert item.ocr_status == OcrStatus.PENDING
    cipher = service.case_cipher(office.case.id)
    assert (
        cipher.decrypt("evidence_evidenceitem", item.id, "sha256", item.sha256_enc) == hashlib.sha256(data).hexdigest()
    )
    assert cipher.decrypt("evidence_evidenceitem", item.id, "filename", item.filename_enc) == "povestka.pdf"
    stored = store_files(private_media)
    assert [path.name for path in stored] == [f"{item.id}.enc"]
    assert b"CANARY-UPLOAD-1" not in stored[0].read_bytes() and b"%PDF" not in stored[0].read_bytes()
    added = AuditEvent.objects.get(action="evidence_added", target_id=str(item.id))
    assert added.actor == office.lawyer and added.detail["size"] == len(data) and "sha" not in str(added.detail)


def test_it_types_files_by_content_not_by_name(lawyer_client, office):
    response = upload(
        lawyer_client, office.case, files.png_bytes(files.scan_of("x", dpi=72)), "scan.pdf", kind="military_id"
    )
    assert response.status_code == 302
    assert EvidenceItem.objects.get().media_type == "image/png"


def test_a_volunteer_on_the_case_can_upload_but_not_download(client, office):
    from tests.conftest import verified_client

    volunteer = verified_client(client, office.volunteer)
    assert upload(volunteer, office.case, files.text_pdf("statement")).status_code == 302
    item = EvidenceItem.objects.get()
    assert volunteer.get(f"/evidence/item/{item.id}/").status_code == 200
    assert volunteer.get(f"/evidence/item/{item.id}/download/").status_code == 403
    assert not AuditEvent.objects.filter(action="evidence_downloaded").exists()


def test_a_volunteer_without_the_case_sees_nothing(client, office):
    from tests.conftest import verified_client

    item = upload(verified_client(client, office.lawyer), office.case, files.text_pdf("x"))
    client.logout()
    nobody = verified_client(client, office.volunteer_none)
    item = EvidenceItem.objects.get()
    assert nobody.get(f"/evidence/item/{item.id}/").status_code == 404
    assert nobody.get(f"/evidence/case/{office.case.id}/").status_code == 404
    assert upload(nobody, office.case, files.text_pdf("y")).status_code == 404
    assert EvidenceItem.objects.count() == 1
