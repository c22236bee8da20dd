"""Domain actions on evidence items: the one place that encrypts, decrypts, audits and reads files.

Views, the API and jobs call these; none of them touches a key, a path or the audit log.
Every action on an item is recorded in the audit chain with the item as its target, so the
item's chain of custody is the audit chain filtered by that target (:func:`custody`).
Reads of a file always re-check its SHA-256; any failure is reported as tampering, audited, and
raised as :class:`TamperedError`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from passage.accounts.access import can_download_evidence, require
from passage.audit.chain import record
from passage.audit.models import AuditEvent
from passage.cases.actions import knowledge
from passage.cases.models import Case
from passage.evidence import locker
from passage.evidence.intake import IntakeRefusedError, SealedIngest, inspect
from passage.evidence.models import EvidenceItem, EvidenceLink, ItemStatus, OcrStatus
from passage.evidence.sealer import DigestMismatchError, MissingFileError, TamperedError, verified_chunks
from passage.sealing import service

__all__ = [
    "ITEM_TARGET",
    "EvidenceGoneError",
    "ItemText",
    "TamperedError",
    "add_item",
    "custody",
    "delete_item",
    "download",
    "item_text",
    "item_titles",
    "items_of_case",
    "link_requirement",
    "read_plaintext",
    "report_tampering",
    "unlink_requirement",
    "update_item",
    "verify_item",
]

TABLE = EvidenceItem._meta.db_table
ITEM_TARGET = EvidenceItem._meta.label_lower
READABLE_FAMILIES = ("pdf", "image", "text", "office")
_NUMBER_RETRIES = 5


class EvidenceGoneError(Exception):
    """The item was deleted (its file and key destroyed)."""


@dataclass(frozen=True)
class ItemText:
    """The decrypted description of one item (what a lawyer sees beside it)."""

    title: str
    filename: str = ""
    provenance_note: str = ""
    sha256: str = ""
    ocr_text: str = ""
    metadata: list[list[str]] = field(default_factory=list)
    page_sizes: list[list[float]] = field(default_factory=list)


def _readable(media_type: str) -> bool:
    family = "pdf" if media_type == "application/pdf" else media_type.split("/", 1)[0]
    if media_type.startswith(("application/vnd.openxmlformats", "application/vnd.oasis")):
        family = "office"
    if media_type in ("text/plain", "text/html", "application/rtf"):
        family = "text"
    return family in READABLE_FAMILIES and media_type not in ("image/heic", "image/avif")


def _check_kind(kind: str) -> None:
    if kind not in knowledge().evidence:
        raise ValueError(f"unknown evidence kind: {kind}")


def _next_number(case: Case) -> int:
    current = EvidenceItem.objects.filter(case=case).aggregate(top=Max("number"))["top"]
    return (current or 0) + 1


def add_item(
    actor: Any,
    case: Case,
    ingest: SealedIngest,
    *,
    kind: str,
    provenance: str,
    title: str = "",
    document_date: date | None = None,
    language: str = "ru",
    provenance_note: str = "",
    strip_metadata: bool = True,
    filename: str = "",
) -> EvidenceItem:
    """Check the sealed upload, then create its row and publish its file in one transaction.

    On any failure the ``.part`` file is deleted: nothing half-written stays, and nothing else
    is touched. The OCR job is queued once the row is committed.

    Raises:
        IntakeRefusedError: the file is empty, of a refused type, corrupt or a bomb.
        ValueError: unknown evidence kind.
    """
    try:
        _check_kind(kind)
        if not ingest.finished:
            ingest.finish()
        probe = inspect(ingest)
        kind_found = ingest.kind
        if kind_found is None:  # finish() always decides the type; this keeps the type checker honest
            raise IntakeRefusedError("unknown")
        cipher = service.case_cipher(case.id)
        for attempt in range(_NUMBER_RETRIES):
            try:
                with transaction.atomic():
                    item = EvidenceItem(
                        id=ingest.record_id, case=case, number=_next_number(case), kind=kind,
                        document_date=document_date, language=language, provenance=provenance,
                        media_type=kind_found.media_type, size=ingest.size, page_count=probe.pages,
                        strip_metadata=strip_metadata, metadata_flags=" ".join(probe.flags)[:120],
                        added_by=actor if getattr(actor, "pk", None) else None,
                        ocr_status=OcrStatus.PENDING if _readable(kind_found.media_type) else OcrStatus.NOT_APPLICABLE,
                        file_key_enc=ingest.wrapped_key,
                    )  # fmt: skip
                    item.title_enc = cipher.encrypt(TABLE, item.id, "title", title)
                    item.filename_enc = cipher.encrypt(TABLE, item.id, "filename", filename)
                    item.provenance_note_enc = cipher.encrypt(TABLE, item.id, "provenance_note", provenance_note)
                    item.sha256_enc = cipher.encrypt(TABLE, item.id, "sha256", ingest.sha256)
                    item.metadata_enc = cipher.encrypt(TABLE, item.id, "metadata", probe.report_json())
                    item.save(force_insert=True)
                    record(
                        actor, "evidence_added", item,
                        fields=["file", "title", "filename", "provenance_note", "sha256", "metadata"],
                        detail={"case": case.code, "number": item.number, "kind": kind, "media_type": item.media_type,
                                "size": item.size, "provenance": provenance},
                    )  # fmt: skip
                    ingest.part.publish()
                break
            except IntegrityError:
                ingest.part.unpublish()
                if attempt == _NUMBER_RETRIES - 1:
                    raise
            except BaseException:
                ingest.part.unpublish()
                raise
    except BaseException:
        ingest.discard()
        raise
    finally:
        ingest.part.release()
    if item.ocr_status == OcrStatus.PENDING:
        transaction.on_commit(lambda: queue_ocr(item), robust=True)
    return item


def queue_ocr(item: EvidenceItem) -> None:
    """Queue the text-reading job for an item (the id is the only argument stored)."""
    from passage.evidence.jobs import read_text

    read_text.enqueue(str(item.id))


def request_ocr(actor: Any, item: EvidenceItem) -> None:
    """Read the text again (after a failure, or a sealed vault stopped the job)."""
    require(can_download_evidence(actor))
    if not item.is_active or not _readable(item.media_type):
        return
    item.ocr_status = OcrStatus.PENDING
    item.ocr_error = ""
    item.save(update_fields=["ocr_status", "ocr_error"])
    record(actor, "ocr_queued", item)
    transaction.on_commit(lambda: queue_ocr(item), robust=True)


def items_of_case(case: Case, *, include_deleted: bool = False) -> QuerySet[EvidenceItem]:
    items = EvidenceItem.objects.filter(case=case).select_related("added_by").prefetch_related("translations", "links")
    return items if include_deleted else items.filter(status=ItemStatus.ACTIVE)


def item_titles(actor: Any, case: Case, items: list[EvidenceItem]) -> dict[uuid.UUID, str]:
    """Titles of several items of one case for a list (one audit row)."""
    if not items:
        return {}
    cipher = service.case_cipher(case.id)
    titles = {item.id: cipher.decrypt(TABLE, item.id, "title", item.title_enc) for item in items if item.is_active}
    record(
        actor,
        "read",
        target_type=ITEM_TARGET,
        target_id=str(case.id),
        fields=["title"],
        detail={"list": True, "count": len(titles)},
    )
    return titles


def item_text(actor: Any, item: EvidenceItem) -> ItemText:
    """What is shown beside an item. Volunteers get the title only; lawyers the rest too (audited)."""
    if not item.is_active:
        return ItemText(title="")
    cipher = service.case_cipher(item.case_id)
    title = cipher.decrypt(TABLE, item.id, "title", item.title_enc)
    if not can_download_evidence(actor):
        record(actor, "evidence_viewed", item, fields=["title"])
        return ItemText(title=title)
    report = json.loads(cipher.decrypt(TABLE, item.id, "metadata", item.metadata_enc) or "{}")
    text = ItemText(
        title=title,
        filename=cipher.decrypt(TABLE, item.id, "filename", item.filename_enc),
        provenance_note=cipher.decrypt(TABLE, item.id, "provenance_note", item.provenance_note_enc),
        sha256=cipher.decrypt(TABLE, item.id, "sha256", item.sha256_enc),
        ocr_text=cipher.decrypt(TABLE, item.id, "ocr_text", item.ocr_text_enc),
        metadata=report.get("metadata", []),
        page_sizes=report.get("page_sizes", []),
    )
    record(
        actor,
        "evidence_viewed",
        item,
        fields=["title", "filename", "provenance_note", "sha256", "ocr_text", "metadata"],
    )
    return text


def page_sizes(item: EvidenceItem) -> list[list[float]]:
    """PDF page sizes recorded at intake (for rasterising; not audited: no content)."""
    report = json.loads(
        service.case_cipher(item.case_id).decrypt(TABLE, item.id, "metadata", item.metadata_enc) or "{}"
    )
    return list(report.get("page_sizes", []))


# -- reading files -------------------------------------------------------------------------------


def _chunks(item: EvidenceItem) -> Iterator[bytes]:
    """The item's plaintext, authenticated chunk by chunk and checked against its SHA-256."""
    if not item.is_active:
        raise EvidenceGoneError
    sha256 = service.case_cipher(item.case_id).decrypt(TABLE, item.id, "sha256", item.sha256_enc)
    sealer = locker.case_sealer(item.case_id)
    try:
        handle = locker.evidence_store().open(item.id)
    except FileNotFoundError:
        raise MissingFileError("the encrypted file is missing") from None
    try:
        yield from verified_chunks(
            sealer.chunks(locker.item_slot(item), bytes(item.file_key_enc or b""), handle), sha256, item.size
        )
    finally:
        handle.close()


def report_tampering(actor: Any, item: EvidenceItem, error: BaseException, during: str) -> None:
    """Audit a failed integrity check (what failed and when; never content)."""
    check = "authentication"
    if isinstance(error, DigestMismatchError):
        check = "digest"
    elif isinstance(error, MissingFileError):
        check = "missing"
    record(actor, "evidence_tampered", item, detail={"check": check, "during": during})


def verify_item(actor: Any, item: EvidenceItem, *, during: str = "check", audit_success: bool = True) -> bool:
    """Decrypt the whole file and compare its SHA-256; False (and audited) if anything fails."""
    try:
        for _chunk in _chunks(item):
            pass
    except TamperedError as error:
        report_tampering(actor, item, error, during)
        return False
    if audit_success:
        record(actor, "evidence_verified", item, detail={"result": "intact", "during": during})
    return True


def read_plaintext(actor: Any, item: EvidenceItem, *, during: str) -> bytes:
    """The whole plaintext in memory (OCR, dossier annexes; bounded by the upload limit).

    Raises:
        TamperedError: reported and audited first.
        EvidenceGoneError: the item was deleted.
    """
    try:
        return b"".join(_chunks(item))
    except TamperedError as error:
        report_tampering(actor, item, error, during)
        raise


@dataclass(frozen=True)
class Download:
    chunks: Iterator[bytes]
    size: int
    media_type: str
    filename: str


def download(actor: Any, item: EvidenceItem) -> Download:
    """The decrypted file for a lawyer or admin, streamed; verified first, audited.

    The whole file is authenticated and hashed before the response starts (a tampered file gets a
    clear page, not half a download); the stream checks again as it goes and holds back its
    last chunk until the hash matches, so a file swapped in between never arrives complete.

    Raises:
        PermissionDenied: the actor may not download evidence.
        TamperedError: the check failed (already audited).
        EvidenceGoneError: the item was deleted.
    """
    require(can_download_evidence(actor))
    if not item.is_active:
        raise EvidenceGoneError
    if not verify_item(actor, item, during="download", audit_success=False):
        raise TamperedError("integrity check failed")
    filename = service.case_cipher(item.case_id).decrypt(TABLE, item.id, "filename", item.filename_enc)
    record(actor, "evidence_downloaded", item, fields=["file"])

    def stream() -> Iterator[bytes]:
        try:
            yield from _chunks(item)
        except TamperedError as error:
            report_tampering(actor, item, error, "download")
            raise

    return Download(stream(), item.size, item.media_type, filename)


# -- changes -------------------------------------------------------------------------------------


@transaction.atomic
def update_item(
    actor: Any,
    item: EvidenceItem,
    *,
    kind: str,
    title: str,
    document_date: date | None,
    language: str,
    provenance: str,
    provenance_note: str,
    strip_metadata: bool,
) -> None:
    """Change an item's description (the file itself never changes)."""
    require(can_download_evidence(actor))
    if not item.is_active:
        raise EvidenceGoneError
    _check_kind(kind)
    cipher = service.case_cipher(item.case_id)
    before = {"kind": item.kind, "document_date": item.document_date, "language": item.language,
              "provenance": item.provenance, "strip_metadata": item.strip_metadata}  # fmt: skip
    item.kind, item.document_date, item.language = kind, document_date, language
    item.provenance, item.strip_metadata = provenance, strip_metadata
    item.title_enc = cipher.encrypt(TABLE, item.id, "title", title)
    item.provenance_note_enc = cipher.encrypt(TABLE, item.id, "provenance_note", provenance_note)
    item.save(
        update_fields=[
            "kind",
            "document_date",
            "language",
            "provenance",
            "strip_metadata",
            "title_enc",
            "provenance_note_enc",
        ]
    )
    after = {"kind": item.kind, "document_date": item.document_date, "language": item.language,
             "provenance": item.provenance, "strip_metadata": item.strip_metadata}  # fmt: skip
    changed = {name: str(after[name]) for name in after if after[name] != before[name]}
    record(actor, "evidence_updated", item, fields=["title", "provenance_note"], detail={"changed": changed})


def delete_item(actor: Any, item: EvidenceItem) -> None:
    """Delete an item: its file key is destroyed, its files removed; a tombstone keeps the history."""
    require(can_download_evidence(actor))
    if not item.is_active:
        return
    store = locker.evidence_store()
    with transaction.atomic():
        file_ids = [tr.file_id for tr in item.translations.all() if tr.file_id]
        item.translations.all().delete()
        item.links.all().delete()
        EvidenceItem.objects.filter(pk=item.pk).update(
            status=ItemStatus.DELETED, deleted_at=timezone.now(), file_key_enc=None, title_enc=None,
            filename_enc=None, provenance_note_enc=None, sha256_enc=None, metadata_enc=None, ocr_text_enc=None,
        )  # fmt: skip
        record(actor, "evidence_deleted", item, detail={"number": item.number, "translations": len(file_ids)})
    item.refresh_from_db()
    for file_id in [item.id, *file_ids]:
        store.delete(file_id)


def link_requirement(actor: Any, item: EvidenceItem, pathway_id: str, requirement_id: str) -> EvidenceLink:
    """State by hand that ``item`` supports a requirement of a pathway (lawyers)."""
    require(can_download_evidence(actor))
    if not item.is_active:
        raise EvidenceGoneError
    pathway = knowledge().pathway(pathway_id)  # KeyError for an unknown pathway
    if requirement_id not in {leaf.id for leaf in pathway.leaves}:
        raise KeyError(requirement_id)
    link, created = EvidenceLink.objects.get_or_create(
        item=item, pathway_id=pathway_id, requirement_id=requirement_id,
        defaults={"created_by": actor if getattr(actor, "pk", None) else None},
    )  # fmt: skip
    if created:
        record(actor, "evidence_linked", item, detail={"pathway": pathway_id, "requirement": requirement_id})
    return link


def unlink_requirement(actor: Any, link: EvidenceLink) -> None:
    require(can_download_evidence(actor))
    item = link.item
    detail = {"pathway": link.pathway_id, "requirement": link.requirement_id}
    link.delete()
    record(actor, "evidence_unlinked", item, detail=detail)


def custody(item: EvidenceItem) -> QuerySet[AuditEvent]:
    """The item's chain of custody: every audit event about it, oldest first."""
    return (
        AuditEvent.objects.filter(target_type=ITEM_TARGET, target_id=str(item.id))
        .select_related("actor")
        .order_by("seq")
    )
