"""Searching the text of one case's evidence while the vault is unsealed.

Nothing is indexed: a search decrypts the case's titles, OCR texts and translated texts in
memory, looks for the words, and forgets them. A plaintext index would be a second copy of the
evidence on disk. The query is never stored or logged; the audit row says who searched which
case and how many items matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from passage.accounts.access import can_download_evidence, require
from passage.audit.chain import record
from passage.cases.models import Case
from passage.evidence.models import EvidenceItem, ItemStatus, Translation
from passage.sealing import service

__all__ = ["Hit", "search_case"]

SNIPPET_CHARS = 80
MAX_SNIPPETS_PER_ITEM = 3


@dataclass(frozen=True)
class Hit:
    item: EvidenceItem
    where: str  # title | text | translation:<language>
    snippets: list[str]


def _fold(text: str) -> str:
    # Case-insensitive, and ё = е as Russian readers expect; keeps positions for snippets.
    return text.lower().replace("ё", "е")


def _snippets(text: str, words: list[str]) -> list[str]:
    folded = _fold(text)
    if len(folded) != len(text):  # folding changed lengths: take snippets from the folded text
        text = folded
    found: list[str] = []
    for match in re.finditer(re.escape(words[0]), folded):
        start, end = max(0, match.start() - SNIPPET_CHARS), min(len(text), match.end() + SNIPPET_CHARS)
        found.append(("…" if start else "") + " ".join(text[start:end].split()) + ("…" if end < len(text) else ""))
        if len(found) >= MAX_SNIPPETS_PER_ITEM:
            break
    return found


def _matches(text: str, words: list[str]) -> bool:
    folded = _fold(text)
    return all(word in folded for word in words)


def search_case(actor: Any, case: Case, query: str) -> list[Hit]:
    """Items of ``case`` whose title, read text or translations contain every word of ``query``."""
    require(can_download_evidence(actor))
    words = [_fold(word) for word in query.split() if word.strip()][:10]
    if not words or sum(len(word) for word in words) < 2:
        return []
    cipher = service.case_cipher(case.id)
    item_table, translation_table = EvidenceItem._meta.db_table, Translation._meta.db_table
    hits: list[Hit] = []
    items = (
        EvidenceItem.objects.filter(case=case, status=ItemStatus.ACTIVE)
        .prefetch_related("translations")
        .order_by("number")
    )
    for item in items:
        sources = [
            ("title", cipher.decrypt(item_table, item.id, "title", item.title_enc)),
            ("text", cipher.decrypt(item_table, item.id, "ocr_text", item.ocr_text_enc)),
        ]
        sources += [
            (
                f"translation:{translation.language}",
                cipher.decrypt(translation_table, translation.id, "text", translation.text_enc),
            )
            for translation in item.translations.all()
        ]
        for where, text in sources:
            if text and _matches(text, words):
                hits.append(Hit(item, where, _snippets(text, words)))
    record(
        actor,
        "search",
        case,
        fields=["evidence_text"],
        detail={"scope": "evidence", "items": len({hit.item.id for hit in hits})},
    )
    return hits
