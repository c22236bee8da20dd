"""What goes into a dossier, as plain data (no PDF yet).

The builder in :mod:`passage.dossier.render` turns a :class:`DossierContent` into a PDF; it
knows nothing of the database, keys or the audit log. This module collects the content from
the case: facts, the pathway's requirements with the evidence that supports them, the items
chosen (read and verified through the evidence actions, so every read is checked against its
SHA-256), and their certified translations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from passage.evidence.models import EvidenceItem, Translation, TranslationStatus

__all__ = ["Annex", "ChecklistRow", "DossierContent", "TranslationAttachment", "fill_letter"]

ATTACHABLE = ("pdf", "image")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass
class TranslationAttachment:
    language: str
    translator: str
    text: str
    file_data: bytes | None = None
    file_media_type: str = ""


@dataclass
class Annex:
    number: int
    item_number: int
    kind: str  # label in the dossier's language
    title: str
    document_date: date | None
    sha256: str
    media_type: str
    family: str
    strip_metadata: bool
    translation_state: str  # original | certified | draft | needed | missing
    data: bytes | None = None  # the plaintext, for attachable families
    metadata: list[list[str]] = field(default_factory=list)  # printed on the annex when not stripped
    over_budget: bool = False  # not attached: the dossier's size budget was spent
    translation: TranslationAttachment | None = None
    pages: int | None = None

    @property
    def attachable(self) -> bool:
        return self.family in ATTACHABLE and self.data is not None


@dataclass
class ChecklistRow:
    label: str
    annexes: list[int]
    missing: list[str]
    needs_evidence: bool


@dataclass
class DossierContent:
    language: str
    case_code: str
    applicant: str
    pathway_name: str
    legal_basis: str
    destination: str
    prepared_on: date
    prepared_by: str
    letter: str
    summary: list[str]
    statement: str
    checklist: list[ChecklistRow]
    annexes: list[Annex] = field(default_factory=list)

    @property
    def missing_translations(self) -> list[Annex]:
        return [annex for annex in self.annexes if annex.translation_state in ("missing", "needed", "draft")]


def fill_letter(template: str, values: dict[str, str]) -> str:
    """Replace the known ``{placeholders}``; unknown ones stay as typed (no format-string tricks)."""
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), template)


def translation_state(item: EvidenceItem, language: str) -> tuple[str, Translation | None]:
    """The state of ``item``'s translation into ``language`` and the certified one, if any."""
    if item.language == language:
        return "original", None
    found = [translation for translation in item.translations.all() if translation.language == language]
    if not found:
        return "missing", None
    translation = found[0]
    if translation.status == TranslationStatus.CERTIFIED:
        return "certified", translation
    return str(translation.status), None


def english(value: Any) -> str:
    return str(getattr(value, "en", value))
