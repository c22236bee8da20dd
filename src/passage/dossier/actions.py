"""Generating, storing, listing and downloading dossiers; the office's cover-letter templates.

Only lawyers and admins build and download dossiers. Each generation is audited on the dossier
(pathway, language, counts) and on every item it includes ("included in a dossier", and
"metadata stripped" where that applied), so the items' chains of custody show where they went.
The PDF is encrypted into the dossier store like evidence (per-file key wrapped by the case key).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.template.loader import get_template
from django.utils import timezone

from passage.accounts.access import can_download_evidence, require
from passage.audit.chain import record
from passage.cases import actions as case_actions
from passage.cases.models import Case, Institution, InstitutionKind
from passage.dossier import wording
from passage.dossier.content import (
    Annex,
    ChecklistRow,
    DossierContent,
    TranslationAttachment,
    fill_letter,
    translation_state,
)
from passage.dossier.models import CoverLetterTemplate, Dossier, DossierStatus
from passage.dossier.render import BuildResult, build_pdf
from passage.evidence import actions as evidence_actions
from passage.evidence import locker, translations
from passage.evidence.models import EvidenceItem, ItemStatus
from passage.evidence.requirements import support_for_plan
from passage.evidence.sealer import FileSlot, MissingFileError, TamperedError, verified_chunks
from passage.routes import make_plan
from passage.sealing import service

__all__ = [
    "DossierDownload",
    "cover_template",
    "default_items",
    "delete_dossier",
    "dossiers_of_case",
    "generate",
    "letter_draft",
    "open_dossier",
    "save_cover_template",
]

TABLE = Dossier._meta.db_table
MAX_ATTACHED_BYTES = 300 << 20  # evidence files attached to one dossier (it is built in memory)
APPLICANT = "{applicant}"  # left in the draft letter; filled at generation (true name or case code)


def _slot(dossier_id: uuid.UUID, case_id: uuid.UUID) -> FileSlot:
    return FileSlot(TABLE, case_id, dossier_id)


# -- cover letters -------------------------------------------------------------------------------


def cover_template(language: str) -> str:
    """The office's cover letter for ``language``, or the shipped default."""
    override = CoverLetterTemplate.objects.filter(language=language).first()
    if override is not None:
        return override.body
    return get_template(f"dossier/cover/{language}.txt").template.source


def save_cover_template(actor: Any, language: str, body: str | None) -> None:
    """Store the office's own template (``None`` restores the shipped default)."""
    require(can_download_evidence(actor))
    if body is None:
        CoverLetterTemplate.objects.filter(language=language).delete()
    else:
        CoverLetterTemplate.objects.update_or_create(language=language, defaults={"body": body, "updated_by": actor})
    record(actor, "cover_template_changed", target_type="dossier.coverlettertemplate", target_id=language,
           detail={"reset": body is None})  # fmt: skip


def _embassy(case: Case, country: str, language: str) -> str:
    english = case_actions.knowledge().country_name(country, "en")
    mission = (
        Institution.objects.filter(
            kind__in=[InstitutionKind.EMBASSY, InstitutionKind.CONSULATE],
            country=country,
            located_in=case.current_country,
        )
        .order_by("kind", "name")
        .first()
    )
    if mission is not None:
        return mission.name
    return {"en": f"Embassy of {english}", "de": f"Botschaft von {wording.country_name(country, 'de', english)}",
            "fr": f"Ambassade — {wording.country_name(country, 'fr', english)}"}[language]  # fmt: skip


def letter_draft(actor: Any, case: Case, pathway_id: str, language: str, annex_count: int) -> str:
    """The office template filled in for this case (the applicant's name stays a placeholder)."""
    pathway = case_actions.knowledge().pathway(pathway_id)
    facts = case_actions.case_profile(case).facts
    kb = case_actions.knowledge()

    def country(code: Any) -> str:
        return wording.country_name(str(code), language, kb.country_name(str(code), "en")) if code else "—"

    values = {
        "embassy": _embassy(case, pathway.country, language),
        "date": wording.format_date(case_actions.today(), language),
        "pathway": pathway.name.en,
        "legal_basis": pathway.legal_basis,
        "citizenship": country(facts.get("citizenship")),
        "current_country": country(facts.get("current_country")),
        "annex_count": str(annex_count),
        "lawyer": (actor.get_full_name() or actor.get_username()) if getattr(actor, "pk", None) else "",
        "case_code": case.code,
    }
    return fill_letter(cover_template(language), values)


# -- generation ----------------------------------------------------------------------------------


def default_items(case: Case, pathway_id: str) -> list[uuid.UUID]:
    """Items that support a requirement of the pathway (by kind or by a lawyer's link)."""
    kinds = {kind for leaf in case_actions.knowledge().pathway(pathway_id).leaves for kind in leaf.evidence}
    items = EvidenceItem.objects.filter(case=case, status=ItemStatus.ACTIVE)
    return [
        item.id
        for item in items
        if item.kind in kinds or any(link.pathway_id == pathway_id for link in item.links.all())
    ]


def _annexes(actor: Any, case: Case, items: list[EvidenceItem], language: str) -> list[Annex]:
    kb = case_actions.knowledge()
    cipher = service.case_cipher(case.id)
    table = EvidenceItem._meta.db_table
    annexes = []
    attached = 0
    for number, item in enumerate(items, start=1):
        kind = kb.evidence.get(item.kind)
        state, certified = translation_state(item, language)
        family = (
            item.family
            if item.family in ("pdf", "image") and item.media_type not in ("image/heic", "image/avif")
            else "other"
        )
        annex = Annex(
            number=number, item_number=item.number,
            kind=wording.kind_label(item.kind, language, kind.label.en if kind else item.kind),
            title=cipher.decrypt(table, item.id, "title", item.title_enc),
            document_date=item.document_date, sha256=cipher.decrypt(table, item.id, "sha256", item.sha256_enc),
            media_type=item.media_type, family=family, strip_metadata=item.strip_metadata,
            translation_state=state, pages=item.page_count,
        )  # fmt: skip
        if not item.strip_metadata and item.metadata_enc:
            # Kept metadata is printed on the annex (WeasyPrint re-encodes images without EXIF).
            annex.metadata = json.loads(cipher.decrypt(table, item.id, "metadata", item.metadata_enc) or "{}").get(
                "metadata", []
            )
        # Every file read is verified against its SHA-256 (and audited if it fails). The dossier is
        # built in memory: past MAX_ATTACHED_BYTES further files are listed but not attached.
        if family != "other" and attached + item.size > MAX_ATTACHED_BYTES:
            annex.over_budget = True
        elif family != "other":
            annex.data = evidence_actions.read_plaintext(actor, item, during="dossier")
            attached += item.size
        if certified is not None:
            text = translations.read_translation(actor, certified)
            annex.translation = TranslationAttachment(language, text.translator, text.text)
            if certified.has_file:
                annex.translation.file_data = translations.translation_plaintext(actor, certified, during="dossier")
                annex.translation.file_media_type = certified.media_type
        annexes.append(annex)
    return annexes


def _checklist(case: Case, pathway_id: str, annex_of: dict[uuid.UUID, int], language: str) -> list[ChecklistRow]:
    kb = case_actions.knowledge()
    plan = make_plan(case_actions.case_profile(case), kb)
    rows = []
    for pathway in support_for_plan(case, plan, [pathway_id]):
        for requirement in pathway.requirements:
            numbers = sorted(annex_of[entry.item.id] for entry in requirement.supports if entry.item.id in annex_of)
            held = {entry.item.kind for entry in requirement.supports if entry.item.id in annex_of}
            missing = [kind for kind in requirement.kinds if kind not in held]
            labels = [
                wording.kind_label(kind, language, kb.evidence[kind].label.en if kind in kb.evidence else kind)
                for kind in missing
            ]
            rows.append(ChecklistRow(requirement.label.en, numbers, labels, requirement.needs_evidence))
    return rows


def _store(actor: Any, case: Case, dossier: Dossier, result: BuildResult) -> None:
    sealer = locker.case_sealer(case.id)
    slot = _slot(dossier.id, case.id)
    file_key, dossier.file_key_enc = sealer.new_key(slot)
    part = locker.dossier_store().create(dossier.id)
    try:
        writer = sealer.writer(slot, file_key, part.handle)
        view = memoryview(result.pdf)
        for start in range(0, len(view), 1 << 20):
            writer.write(view[start : start + (1 << 20)])
        sha256, dossier.size = writer.close()
        dossier.sha256_enc = service.case_cipher(case.id).encrypt(TABLE, dossier.id, "sha256", sha256)
        with transaction.atomic():
            dossier.save(force_insert=True)
            part.publish()
    except BaseException:
        part.unpublish()
        part.discard()
        raise
    finally:
        part.release()


def generate(
    actor: Any,
    case: Case,
    *,
    pathway_id: str,
    language: str,
    item_ids: Sequence[uuid.UUID],
    letter: str,
    statement: str = "",
    include_true_name: bool = False,
) -> Dossier:
    """Build, encrypt and store a dossier for ``pathway_id`` in ``language``.

    Raises:
        PermissionDenied: only lawyers and admins.
        KeyError: unknown pathway.
        TamperedError: an included file failed its integrity check (audited on the item).
        DossierBuildError: the PDF could not be built.
    """
    require(can_download_evidence(actor))
    if language not in wording.WORDS:
        raise ValueError(f"unsupported dossier language: {language}")
    started = time.perf_counter()
    kb = case_actions.knowledge()
    pathway = kb.pathway(pathway_id)
    wanted = set(item_ids)
    found = EvidenceItem.objects.filter(case=case, status=ItemStatus.ACTIVE, pk__in=list(wanted))
    items = list(found.prefetch_related("translations", "links").order_by("number"))
    profile = case_actions.case_profile(case)
    applicant = case_actions.reveal_true_name(actor, case) if include_true_name else ""
    applicant = applicant.strip() or case.code
    annexes = _annexes(actor, case, items, language)

    def english_country(code: str) -> str:
        return kb.country_name(code, "en")

    content = DossierContent(
        language=language, case_code=case.code, applicant=applicant, pathway_name=pathway.name.en,
        legal_basis=pathway.legal_basis, destination=_embassy(case, pathway.country, language),
        prepared_on=case_actions.today(),
        prepared_by=(actor.get_full_name() or actor.get_username()) if getattr(actor, "pk", None) else "",
        letter=letter.replace(APPLICANT, applicant),
        summary=wording.fact_sentences(dict(profile.facts), language, permitted_stay_ends=case.permitted_stay_ends,
                                       country_english=english_country),
        statement=statement, checklist=_checklist(case, pathway_id, {item.id: n for n, item in enumerate(items, 1)}, language),
        annexes=annexes,
    )  # fmt: skip
    result = build_pdf(content)
    dossier = Dossier(
        id=uuid.uuid4(), case=case, pathway_id=pathway_id, language=language, page_count=result.pages,
        item_count=len(items), missing_translations=len(content.missing_translations),
        created_by=actor if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    dossier.build_seconds = round(time.perf_counter() - started, 3)
    _store(actor, case, dossier, result)
    record(actor, "dossier_generated", dossier, fields=["facts", "evidence", *(["true_name"] if include_true_name else [])],
           detail={"case": case.code, "pathway": pathway_id, "language": language, "items": len(items),
                   "pages": result.pages, "missing_translations": dossier.missing_translations})  # fmt: skip
    for annex, item in zip(annexes, items, strict=True):
        record(actor, "dossier_included", item, detail={"dossier": str(dossier.id), "annex": annex.number,
                                                        "attached": annex.attachable and annex.number not in result.notes})  # fmt: skip
        if annex.attachable and item.strip_metadata and item.metadata_flags:
            record(actor, "metadata_stripped", item, detail={"dossier": str(dossier.id), "flags": item.metadata_flags})
    return dossier


# -- reading -------------------------------------------------------------------------------------


def dossiers_of_case(case: Case) -> list[Dossier]:
    return list(Dossier.objects.filter(case=case, status=DossierStatus.READY).select_related("created_by"))


def _chunks(dossier: Dossier) -> Iterator[bytes]:
    sha256 = service.case_cipher(dossier.case_id).decrypt(TABLE, dossier.id, "sha256", dossier.sha256_enc)
    try:
        handle = locker.dossier_store().open(dossier.id)
    except FileNotFoundError:
        raise MissingFileError("the encrypted dossier is missing") from None
    try:
        chunks = locker.case_sealer(dossier.case_id).chunks(
            _slot(dossier.id, dossier.case_id), bytes(dossier.file_key_enc or b""), handle
        )
        yield from verified_chunks(chunks, sha256, dossier.size)
    finally:
        handle.close()


@dataclass(frozen=True)
class DossierDownload:
    chunks: Iterator[bytes]
    size: int


def open_dossier(actor: Any, dossier: Dossier, *, verify_first: bool = True) -> DossierDownload:
    """The decrypted PDF, streamed and verified (audited as a download).

    Raises:
        TamperedError: the stored dossier failed its check (audited).
    """
    require(can_download_evidence(actor))
    if dossier.status != DossierStatus.READY:
        raise MissingFileError("deleted")
    try:
        if verify_first:
            for _chunk in _chunks(dossier):
                pass
    except TamperedError:
        record(actor, "dossier_tampered", dossier, detail={"during": "download"})
        raise
    record(actor, "dossier_downloaded", dossier, fields=["file"])

    def stream() -> Iterator[bytes]:
        try:
            yield from _chunks(dossier)
        except TamperedError:
            record(actor, "dossier_tampered", dossier, detail={"during": "download"})
            raise

    return DossierDownload(stream(), dossier.size)


def dossier_bytes(actor: Any, dossier: Dossier) -> bytes:
    """The whole decrypted PDF (tests, the API); audited like a download."""
    return b"".join(open_dossier(actor, dossier, verify_first=False).chunks)


def delete_dossier(actor: Any, dossier: Dossier) -> None:
    """Destroy a dossier's key and file (the row stays as a record that it existed)."""
    require(can_download_evidence(actor))
    Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.DELETED, file_key_enc=None, sha256_enc=None)
    record(actor, "dossier_deleted", dossier, detail={"at": timezone.now().isoformat()})
    locker.dossier_store().delete(dossier.id)
