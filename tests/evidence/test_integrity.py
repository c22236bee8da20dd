"""Reading evidence back: decrypted on the fly, SHA-256 re-checked, tampering detected and audited."""

from __future__ import annotations

import shutil

import pytest

from passage.audit.chain import verify
from passage.audit.models import AuditEvent
from passage.evidence import actions, locker
from passage.evidence.models import EvidenceItem
from passage.evidence.sealer import DigestMismatchError, TamperedError
from passage.vault.stream import DEFAULT_CHUNK_SIZE, HEADER_SIZE, TAG_SIZE
from tests.evidence import files
from tests.evidence.conftest import add

CHUNK = DEFAULT_CHUNK_SIZE + TAG_SIZE


@pytest.fixture
def unprobed(monkeypatch):
    """Store test bytes without the PDF probe (they start like a PDF but are not one)."""
    from passage.evidence.intake import ProbeResult

    monkeypatch.setattr(actions, "inspect", lambda ingest: ProbeResult())


def _big(office):
    """An item of three full chunks and a bit (so chunks can be swapped and cut)."""
    data = b"%PDF-1.4\n" + bytes(range(256)) * ((3 * DEFAULT_CHUNK_SIZE + 5000) // 256)
    return add(office, data), data


def _download(client, item):
    response = client.get(f"/evidence/item/{item.id}/download/")
    body = b"".join(response.streaming_content) if response.status_code == 200 else response.content
    return response.status_code, body


def test_a_lawyer_downloads_the_exact_file_and_it_is_audited(lawyer_client, office):
    data = files.text_pdf("Повестка")
    item = add(office, data)
    status, body = _download(lawyer_client, item)
    assert (status, body) == (200, data)
    event = AuditEvent.objects.get(action="evidence_downloaded", target_id=str(item.id))
    assert event.actor == office.lawyer
    assert verify() == []


def _path(item):
    return locker.evidence_store().path_for(item.id)


def _flip(item, offset):
    path = _path(item)
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def _assert_detected(client, item, check):
    status, body = _download(client, item)
    assert status == 409
    assert "Integrity check failed" in body.decode()
    event = AuditEvent.objects.filter(action="evidence_tampered", target_id=str(item.id)).last()
    assert event is not None and event.detail["check"] == check and event.actor_label == "lena-lawyer"
    assert not AuditEvent.objects.filter(action="evidence_downloaded", target_id=str(item.id)).exists()


def test_a_flipped_byte_is_detected(lawyer_client, office, unprobed):
    item, _data = _big(office)
    _flip(item, HEADER_SIZE + CHUNK + 100)
    _assert_detected(lawyer_client, item, "authentication")


def test_a_flipped_header_byte_is_detected(lawyer_client, office, unprobed):
    item, _data = _big(office)
    _flip(item, 10)
    _assert_detected(lawyer_client, item, "authentication")


def test_a_truncated_file_is_detected_even_at_a_chunk_boundary(lawyer_client, office, unprobed):
    item, _data = _big(office)
    path = _path(item)
    path.write_bytes(path.read_bytes()[: HEADER_SIZE + 2 * CHUNK])
    _assert_detected(lawyer_client, item, "authentication")


def test_swapped_chunks_are_detected(lawyer_client, office, unprobed):
    item, _data = _big(office)
    path = _path(item)
    raw = path.read_bytes()
    first, second = raw[HEADER_SIZE : HEADER_SIZE + CHUNK], raw[HEADER_SIZE + CHUNK : HEADER_SIZE + 2 * CHUNK]
    path.write_bytes(raw[:HEADER_SIZE] + second + first + raw[HEADER_SIZE + 2 * CHUNK :])
    _assert_detected(lawyer_client, item, "authentication")


def test_a_file_moved_from_another_case_is_detected(lawyer_client, office):
    mine = add(office, files.text_pdf("this case"))
    theirs = add(office, files.text_pdf("the other case"), case=office.other_case)
    shutil.copyfile(_path(theirs), _path(mine))
    _assert_detected(lawyer_client, mine, "authentication")


def test_a_record_moved_to_another_case_is_detected(lawyer_client, office):
    item = add(office, files.text_pdf("moved row"), case=office.other_case)
    EvidenceItem.objects.filter(pk=item.pk).update(case=office.case)  # an attacker edits the database
    _assert_detected(lawyer_client, EvidenceItem.objects.get(pk=item.pk), "authentication")


def test_a_missing_file_is_reported(lawyer_client, office):
    item = add(office, files.text_pdf("gone"))
    _path(item).unlink()
    _assert_detected(lawyer_client, item, "missing")


def test_a_wrong_recorded_hash_is_reported_as_tampering(lawyer_client, office):
    from passage.sealing import service

    item = add(office, files.text_pdf("re-hashed"))
    cipher = service.case_cipher(office.case.id)
    EvidenceItem.objects.filter(pk=item.pk).update(
        sha256_enc=cipher.encrypt("evidence_evidenceitem", item.id, "sha256", "0" * 64)
    )
    _assert_detected(lawyer_client, EvidenceItem.objects.get(pk=item.pk), "digest")


def test_the_stream_holds_back_its_end_until_the_hash_matches(office):
    """A file swapped between the check and the stream never arrives complete."""
    from passage.evidence.sealer import verified_chunks

    chunks = [b"a" * 10, b"b" * 10, b"c" * 10]
    stream = verified_chunks(iter(chunks), "0" * 64)
    received = [next(stream), next(stream)]
    with pytest.raises(DigestMismatchError):
        next(stream)
    assert b"".join(received) == b"a" * 10 + b"b" * 10


def test_the_check_button_reports_intact_files(lawyer_client, office):
    item = add(office, files.text_pdf("fine"))
    response = lawyer_client.post(f"/evidence/item/{item.id}/verify/")
    assert response.status_code == 302
    assert AuditEvent.objects.get(action="evidence_verified", target_id=str(item.id)).detail["result"] == "intact"
    _flip(item, HEADER_SIZE + 5)
    assert lawyer_client.post(f"/evidence/item/{item.id}/verify/").status_code == 409


def test_reads_for_ocr_report_tampering_too(office):
    item = add(office, files.text_pdf("ocr me"))
    _flip(item, HEADER_SIZE + 5)
    with pytest.raises(TamperedError):
        actions.read_plaintext("system:ocr", item, during="ocr")
    assert AuditEvent.objects.get(action="evidence_tampered").detail == {"check": "authentication", "during": "ocr"}
