"""Background jobs of the evidence locker (django-tasks, run by ``passage db_worker``).

The job's only argument, stored in the task table, is the item id; its return value is a
status word. The text it reads is stored encrypted on the item and never leaves this process
otherwise (no logs, no task result, no exception message).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from passage.audit.chain import record
from passage.evidence import actions
from passage.evidence.models import EvidenceItem, OcrStatus
from passage.evidence.ocr import OcrConfig, OcrError, read_document
from passage.sealing import service
from passage.sealing.service import vault_is_sealed

__all__ = ["VaultSealedError", "read_text", "run_ocr"]

OCR_ACTOR = "system:ocr"  # how the job appears in the chain of custody


class VaultSealedError(RuntimeError):
    """Reading text needs the case keys: unseal, then use "Read the text again"."""


def ocr_config() -> OcrConfig:
    return OcrConfig(languages=settings.PASSAGE.ocr_languages)


def run_ocr(item_id: uuid.UUID) -> str:
    """Read one item's text and store it encrypted; returns ``done``, ``failed`` or ``skipped``."""
    item = EvidenceItem.objects.filter(pk=item_id).first()
    if (
        item is None
        or not item.is_active
        or item.ocr_status not in (OcrStatus.PENDING, OcrStatus.FAILED, OcrStatus.RUNNING)
    ):
        return "skipped"
    if vault_is_sealed():
        raise VaultSealedError("the vault is sealed: the item stays waiting")
    EvidenceItem.objects.filter(pk=item.pk).update(ocr_status=OcrStatus.RUNNING)
    try:
        data = actions.read_plaintext(OCR_ACTOR, item, during="ocr")
        outcome = read_document(data, item.media_type, ocr_config(), page_sizes=actions.page_sizes(item))
    except (OcrError, actions.TamperedError) as error:
        reason = error.reason if isinstance(error, OcrError) else "tampered"
        EvidenceItem.objects.filter(pk=item.pk).update(
            ocr_status=OcrStatus.FAILED, ocr_error=reason[:40], ocr_at=timezone.now()
        )
        record(OCR_ACTOR, "ocr_failed", item, detail={"reason": reason})
        return "failed"
    del data
    cipher = service.case_cipher(item.case_id)
    text_enc = cipher.encrypt(EvidenceItem._meta.db_table, item.id, "ocr_text", outcome.text)
    EvidenceItem.objects.filter(pk=item.pk).update(
        ocr_status=OcrStatus.DONE, ocr_error="", ocr_engine=outcome.engine[:80], ocr_pages=outcome.pages,
        ocr_at=timezone.now(), ocr_text_enc=text_enc,
    )  # fmt: skip
    record(OCR_ACTOR, "ocr_done", item, fields=["ocr_text"],
           detail={"pages": outcome.pages, "ocr_pages": outcome.ocr_pages, "engine": outcome.engine, "truncated": outcome.truncated})  # fmt: skip
    return "done"


@task()
def read_text(item_id: str) -> str:
    """Queued after every upload of a PDF, image, text or Office document."""
    return run_ocr(uuid.UUID(item_id))
