"""Reading text: real Tesseract on a generated Russian scan, text layers first, stored encrypted."""

from __future__ import annotations

import pytest

from passage.audit.models import AuditEvent
from passage.evidence.jobs import read_text, run_ocr
from passage.evidence.models import EvidenceItem, OcrStatus
from passage.evidence.ocr import OcrConfig, read_document
from passage.sealing import service
from tests.evidence import files
from tests.evidence.conftest import add


def _edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def accuracy(reference: str, read: str) -> float:
    reference, read = " ".join(reference.split()), " ".join(read.split())
    return 1 - _edit_distance(reference, read) / len(reference)


@pytest.mark.parametrize(
    ("dpi", "point"), [(200, 12), (150, 11), (100, 12)], ids=["200dpi", "150dpi", "100dpi-small-noisy"]
)
def test_tesseract_reads_a_russian_scan_with_at_least_90_percent_accuracy(dpi, point):
    scan = files.png_bytes(files.scan_of(dpi=dpi, point=point, noise=0.02, angle=0.7))
    outcome = read_document(scan, "image/png", OcrConfig(languages="rus+eng"))
    assert accuracy(files.SUMMONS_RU, outcome.text) >= 0.90, outcome.text
    assert outcome.ocr_pages == 1 and "tesseract" in outcome.engine


def test_the_job_stores_the_text_encrypted_and_records_it(office):
    item = add(office, files.png_bytes(files.scan_of()), kind="summons")
    assert run_ocr(item.id) == "done"
    item = EvidenceItem.objects.get(pk=item.pk)
    assert item.ocr_status == OcrStatus.DONE and item.ocr_pages == 1
    assert "ПОВЕСТКА".encode() not in bytes(item.ocr_text_enc)
    text = service.case_cipher(office.case.id).decrypt("evidence_evidenceitem", item.id, "ocr_text", item.ocr_text_enc)
    assert accuracy(files.SUMMONS_RU, text) >= 0.9
    event = AuditEvent.objects.get(action="ocr_done", target_id=str(item.id))
    assert event.actor_label == "system:ocr" and event.detail["ocr_pages"] == 1


def test_a_pdf_with_a_text_layer_is_not_ocred_but_a_scanned_page_is(office):
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for data in (
        files.text_pdf("Текстовый слой: постановление о возбуждении уголовного дела"),
        files.image_pdf(files.scan_of()),
    ):
        for page in PdfReader(io.BytesIO(data)).pages:
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    outcome = read_document(out.getvalue(), "application/pdf", OcrConfig(), page_sizes=[[595, 842, 0], [595, 842, 0]])
    assert outcome.pages == 2 and outcome.ocr_pages == 1
    assert "постановление о возбуждении уголовного дела" in outcome.text
    assert "военный комиссариат" in outcome.text


def test_plain_text_and_office_documents_give_their_own_text(office):
    assert (
        "Заявление"
        in read_document(
            files.docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        ).text
    )
    assert read_document("Привет".encode(), "text/plain").text == "Привет"


def test_a_failed_read_is_recorded_without_content(office):
    item = add(office, files.png_bytes(files.scan_of()), kind="summons")
    from passage.evidence import locker

    path = locker.evidence_store().path_for(item.id)
    data = bytearray(path.read_bytes())
    data[60] ^= 1
    path.write_bytes(bytes(data))
    assert run_ocr(item.id) == "failed"
    item = EvidenceItem.objects.get(pk=item.pk)
    assert (item.ocr_status, item.ocr_error) == (OcrStatus.FAILED, "tampered")
    assert AuditEvent.objects.filter(action="evidence_tampered", target_id=str(item.id)).exists()


def test_the_job_waits_while_the_vault_is_sealed(office, vault):
    from passage.evidence.jobs import VaultSealedError

    item = add(office, files.png_bytes(files.scan_of()), kind="summons")
    vault.seal()
    with pytest.raises(VaultSealedError):
        run_ocr(item.id)
    assert EvidenceItem.objects.get(pk=item.pk).ocr_status == OcrStatus.PENDING


@pytest.mark.django_db(transaction=True)
def test_an_upload_queues_the_job_with_only_the_item_id(vault, django_user_model, settings):
    from django_tasks_db.models import DBTaskResult

    from passage.accounts.models import Role
    from passage.cases import actions as case_actions
    from passage.evidence import actions, locker

    lawyer = django_user_model.objects.create_user("queue-lawyer", password="a-long-test-password", role=Role.LAWYER)
    case = case_actions.create_case(lawyer, true_name="Queue Test", facts={"citizenship": "RU"})
    ingest = locker.open_ingest(case.id)
    ingest.write(files.png_bytes(files.scan_of(dpi=72)))
    item = actions.add_item(lawyer, case, ingest, kind="summons", provenance="client", title="SECRET-TITLE")
    queued = DBTaskResult.objects.get()
    assert queued.task_path == read_text.module_path
    assert queued.args_kwargs == {"args": [str(item.id)], "kwargs": {}}
    assert "SECRET-TITLE" not in str(queued.args_kwargs)


def test_the_page_shows_the_text_beside_the_item_to_lawyers_only(lawyer_client, client, office):
    from tests.conftest import verified_client

    item = add(office, files.png_bytes(files.scan_of()), kind="summons")
    run_ocr(item.id)
    page = lawyer_client.get(f"/evidence/item/{item.id}/").content.decode()
    assert "военный комиссариат" in page
    client.logout()
    volunteer_page = verified_client(client, office.volunteer).get(f"/evidence/item/{item.id}/").content.decode()
    assert "военный комиссариат" not in volunteer_page
