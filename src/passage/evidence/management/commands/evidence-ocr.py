"""``passage evidence-ocr``: queue the text-reading job for items still waiting (or failed).

Jobs queued while the vault was sealed fail and leave their items waiting; run this after
unsealing (or use "Read the text again" on an item's page). Needs no keys to queue.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from passage.audit.chain import record
from passage.evidence.actions import queue_ocr
from passage.evidence.models import EvidenceItem, ItemStatus, OcrStatus


class Command(BaseCommand):
    help = "Queue text reading (OCR) for evidence items that are waiting for it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--failed", action="store_true", help="also retry items whose reading failed")

    def handle(self, *args: Any, **options: Any) -> None:
        wanted = [OcrStatus.PENDING, OcrStatus.RUNNING] + ([OcrStatus.FAILED] if options["failed"] else [])
        items = list(EvidenceItem.objects.filter(status=ItemStatus.ACTIVE, ocr_status__in=wanted))
        for item in items:
            if item.ocr_status == OcrStatus.FAILED:
                EvidenceItem.objects.filter(pk=item.pk).update(ocr_status=OcrStatus.PENDING, ocr_error="")
            queue_ocr(item)
        if items:
            record(
                "command:evidence-ocr", "ocr_queued", target_type="evidence.evidenceitem", detail={"items": len(items)}
            )
        self.stdout.write(f"queued {len(items)} items")
