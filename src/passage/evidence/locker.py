"""The evidence and dossier stores, bound to the settings, and the sweep of what crashes left.

Views never call these: they call :mod:`passage.evidence.actions`, which uses them.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.conf import settings

from passage.evidence.intake import SealedIngest
from passage.evidence.models import EvidenceItem, ItemStatus, Translation
from passage.evidence.sealer import FileSealer, FileSlot
from passage.evidence.store import EncryptedStore, SweepReport
from passage.sealing import service

__all__ = [
    "case_sealer",
    "claimed_evidence_ids",
    "dossier_store",
    "evidence_store",
    "item_slot",
    "max_upload_bytes",
    "open_ingest",
    "sweep",
    "translation_slot",
]

log = logging.getLogger("passage.evidence")


def evidence_store() -> EncryptedStore:
    return EncryptedStore(settings.PASSAGE.media_dir / "evidence")


def dossier_store() -> EncryptedStore:
    return EncryptedStore(settings.PASSAGE.media_dir / "dossiers")


def max_upload_bytes() -> int:
    return int(settings.PASSAGE.max_upload_mb) << 20


def case_sealer(case_id: uuid.UUID) -> FileSealer:
    """The file sealer of one case (raises ``SealedError`` while the vault is sealed)."""
    return FileSealer(service.case_cipher(case_id).data_key)


def item_slot(item: EvidenceItem) -> FileSlot:
    return FileSlot(EvidenceItem._meta.db_table, item.case_id, item.id)


def translation_slot(translation: Translation, case_id: uuid.UUID) -> FileSlot:
    if translation.file_id is None:
        raise ValueError("this translation has no file")
    return FileSlot(Translation._meta.db_table, case_id, translation.file_id)


def open_ingest(
    case_id: uuid.UUID, table: str = EvidenceItem._meta.db_table, record_id: uuid.UUID | None = None
) -> SealedIngest:
    """A new encrypted ``.part`` for a file of ``case_id`` (a new record id unless given)."""
    slot = FileSlot(table, case_id, record_id or uuid.uuid4())
    return SealedIngest(evidence_store(), case_sealer(case_id), slot, max_bytes=max_upload_bytes())


def claimed_evidence_ids(ids: set[uuid.UUID]) -> set[uuid.UUID]:
    """Which of ``ids`` a live item or translation file claims."""
    claimed: set[uuid.UUID] = set()
    id_list = list(ids)
    for start in range(0, len(id_list), 500):
        batch = id_list[start : start + 500]
        claimed.update(EvidenceItem.objects.filter(pk__in=batch, status=ItemStatus.ACTIVE).values_list("pk", flat=True))
        claimed.update(
            Translation.objects.filter(file_id__in=batch, item__status=ItemStatus.ACTIVE).values_list(
                "file_id", flat=True
            )
        )
    return claimed


def claimed_dossier_ids(ids: set[uuid.UUID]) -> set[uuid.UUID]:
    from passage.dossier.models import Dossier, DossierStatus

    return set(Dossier.objects.filter(pk__in=list(ids), status=DossierStatus.READY).values_list("pk", flat=True))


def sweep(*, full: bool = True) -> dict[str, Any]:
    """Remove what killed uploads and dossier builds left behind.

    Args:
        full: also remove published files that no live row claims (start-up, the
            ``evidence-cleanup`` command); otherwise only dead ``.part`` files (before uploads).

    Returns:
        Counts per store (ids are logged, never names or content).
    """
    reports: dict[str, SweepReport] = {
        "evidence": evidence_store().sweep(claimed_evidence_ids if full else None),
        "dossiers": dossier_store().sweep(claimed_dossier_ids if full else None),
    }
    for name, report in reports.items():
        if report.removed:
            log.info(
                "sweep %s: removed %d unfinished and %d unclaimed files",
                name,
                len(report.parts_removed),
                len(report.orphans_removed),
            )
    return {
        name: {
            "parts_removed": len(report.parts_removed),
            "orphans_removed": len(report.orphans_removed),
            "busy": report.busy,
        }
        for name, report in reports.items()
    }
