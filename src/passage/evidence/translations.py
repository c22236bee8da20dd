"""Translations of evidence items: language, translator, status, text and/or a file, encrypted.

One translation per item and language. A translated file (e.g. the sworn translator's stamped
PDF) is sealed like evidence, under its own file id: a replacement is published under a new id
in the transaction that points the row at it, and the old file is removed after the commit (a
crash in between leaves an unclaimed file that the sweep removes). Every change is audited on
the item, so it shows in the item's chain of custody.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from passage.accounts.access import can_download_evidence, require
from passage.audit.chain import record
from passage.evidence import locker
from passage.evidence.actions import EvidenceGoneError, report_tampering
from passage.evidence.intake import IntakeRefusedError, SealedIngest, inspect
from passage.evidence.models import EvidenceItem, Translation, TranslationStatus
from passage.evidence.sealer import MissingFileError, TamperedError, verified_chunks
from passage.sealing import service

__all__ = [
    "TranslationText",
    "open_translation_ingest",
    "read_translation",
    "save_translation",
    "translation_file",
    "translation_plaintext",
]

TABLE = Translation._meta.db_table
LANGUAGES = ("en", "de", "fr", "ru", "uk", "es", "it", "pl", "he", "hy", "ka", "kk", "tr")


@dataclass(frozen=True)
class TranslationText:
    translator: str
    text: str


def open_translation_ingest(item: EvidenceItem) -> SealedIngest:
    """A sealed ``.part`` for a translated file of ``item`` (under a new file id)."""
    return locker.open_ingest(item.case_id, table=TABLE, record_id=uuid.uuid4())


def save_translation(
    actor: Any,
    item: EvidenceItem,
    *,
    language: str,
    status: str,
    translator: str = "",
    text: str | None = None,
    ingest: SealedIngest | None = None,
) -> Translation:
    """Create or update the item's translation into ``language`` (lawyers and admins).

    Args:
        text: the translated text (``None`` keeps the stored one).
        ingest: a translated file to attach, replacing any earlier one.

    Raises:
        IntakeRefusedError: the file is refused (nothing is changed).
    """
    require(can_download_evidence(actor))
    if not item.is_active:
        raise EvidenceGoneError
    if status not in TranslationStatus.values:
        raise ValueError(f"unknown translation status: {status}")
    old_file: uuid.UUID | None = None
    try:
        if ingest is not None:
            if not ingest.finished:
                ingest.finish()
            inspect(ingest)
        cipher = service.case_cipher(item.case_id)
        with transaction.atomic():
            translation = Translation.objects.filter(item=item, language=language).first()
            created = translation is None
            if translation is None:
                translation = Translation(id=uuid.uuid4(), item=item, language=language,
                                          created_by=actor if getattr(actor, "pk", None) else None)  # fmt: skip
            translation.status = status
            translation.translator_enc = cipher.encrypt(TABLE, translation.id, "translator", translator)
            fields = ["translator"]
            if text is not None:
                translation.text_enc = cipher.encrypt(TABLE, translation.id, "text", text)
                fields.append("text")
            if ingest is not None:
                if ingest.kind is None:
                    raise IntakeRefusedError("unknown")
                old_file = translation.file_id
                translation.file_id = ingest.record_id
                translation.file_key_enc = ingest.wrapped_key
                translation.media_type = ingest.kind.media_type
                translation.size = ingest.size
                translation.sha256_enc = cipher.encrypt(TABLE, translation.id, "sha256", ingest.sha256)
                fields.append("file")
            translation.save()
            record(
                actor, "translation_added" if created else "translation_updated", item, fields=fields,
                detail={"translation": str(translation.id), "language": language, "status": status},
            )  # fmt: skip
            if ingest is not None:
                ingest.part.publish()
    except BaseException:
        if ingest is not None:
            if ingest.part.published:
                ingest.part.unpublish()
            ingest.discard()
        raise
    finally:
        if ingest is not None:
            ingest.part.release()
    if old_file is not None:
        locker.evidence_store().delete(old_file)
    return translation


def read_translation(actor: Any, translation: Translation) -> TranslationText:
    """The translator's name and the translated text (audited on the item)."""
    require(can_download_evidence(actor))
    cipher = service.case_cipher(translation.item.case_id)
    result = TranslationText(
        translator=cipher.decrypt(TABLE, translation.id, "translator", translation.translator_enc),
        text=cipher.decrypt(TABLE, translation.id, "text", translation.text_enc),
    )
    record(actor, "translation_viewed", translation.item, fields=["translator", "text"],
           detail={"translation": str(translation.id), "language": translation.language})  # fmt: skip
    return result


def _file_chunks(translation: Translation) -> Iterator[bytes]:
    case_id = translation.item.case_id
    sha256 = service.case_cipher(case_id).decrypt(TABLE, translation.id, "sha256", translation.sha256_enc)
    if translation.file_id is None:
        raise MissingFileError("this translation has no file")
    try:
        handle = locker.evidence_store().open(translation.file_id)
    except FileNotFoundError:
        raise MissingFileError("the encrypted file is missing") from None
    try:
        chunks = locker.case_sealer(case_id).chunks(
            locker.translation_slot(translation, case_id), bytes(translation.file_key_enc or b""), handle
        )
        yield from verified_chunks(chunks, sha256, translation.size)
    finally:
        handle.close()


def translation_plaintext(actor: Any, translation: Translation, *, during: str) -> bytes:
    """The whole translated file (dossier annexes); tampering is audited and raised."""
    try:
        return b"".join(_file_chunks(translation))
    except TamperedError as error:
        report_tampering(actor, translation.item, error, f"{during}:translation")
        raise


def translation_file(actor: Any, translation: Translation) -> tuple[bytes, str]:
    """The translated file for download by a lawyer (audited)."""
    require(can_download_evidence(actor))
    if not translation.has_file:
        raise EvidenceGoneError
    data = translation_plaintext(actor, translation, during="download")
    record(actor, "translation_downloaded", translation.item, fields=["translation_file"],
           detail={"translation": str(translation.id), "language": translation.language})  # fmt: skip
    return data, translation.media_type
