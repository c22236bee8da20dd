"""Evidence items, their translations and their links to a route plan's requirements.

What a seized database shows: ids, case, item number, evidence kind (an enum of the knowledge
base), document date, document language, provenance category, detected media type, size,
statuses and dates. Everything that describes the content — title, original file name,
provenance notes, the plaintext SHA-256 (a known document could be confirmed by its hash), OCR
text, metadata report, translator, translated text — is ciphertext bound to its row and field
(``*_enc``), and the files themselves are encrypted under per-file keys wrapped by the case key
(``file_key_enc``), so crypto-shredding a case destroys its evidence too.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from passage.cases.models import Case


class Provenance(models.TextChoices):
    CLIENT = "client", _("handed over by the person")
    MESSENGER = "messenger", _("sent by the person through a messenger")
    INTAKE = "intake", _("received through the intake portal")
    OFFICIAL = "official", _("downloaded from an official portal (e.g. Gosuslugi)")
    PUBLIC = "public", _("from a public source (press, court or wanted-list website)")
    THIRD_PARTY = "third_party", _("from a third party (lawyer, NGO, relative)")
    OFFICE = "office", _("scanned or photographed in the office")
    OTHER = "other", _("other")


class ItemStatus(models.TextChoices):
    ACTIVE = "active", _("kept")
    DELETED = "deleted", _("deleted")


class OcrStatus(models.TextChoices):
    NOT_APPLICABLE = "none", _("no text to read")
    PENDING = "pending", _("waiting")
    RUNNING = "running", _("reading")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class EvidenceItem(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence_items")
    number = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=60)
    document_date = models.DateField(_("date of the document"), null=True, blank=True)
    language = models.CharField(_("language of the document"), max_length=8, default="ru")
    provenance = models.CharField(_("how it was obtained"), max_length=20, choices=Provenance.choices)
    media_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    page_count = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=ItemStatus.choices, default=ItemStatus.ACTIVE)
    strip_metadata = models.BooleanField(_("strip metadata from the dossier copy"), default=True)
    metadata_flags = models.CharField(max_length=120, blank=True)  # e.g. "dates gps person": names only
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    # Encrypted with the case key, bound to this row and field.
    title_enc = models.BinaryField(null=True, blank=True)
    filename_enc = models.BinaryField(null=True, blank=True)
    provenance_note_enc = models.BinaryField(null=True, blank=True)
    sha256_enc = models.BinaryField(null=True, blank=True)
    metadata_enc = models.BinaryField(null=True, blank=True)
    file_key_enc = models.BinaryField(null=True, blank=True)  # the per-file key, wrapped by the case key

    ocr_status = models.CharField(max_length=10, choices=OcrStatus.choices, default=OcrStatus.NOT_APPLICABLE)
    ocr_engine = models.CharField(max_length=80, blank=True)
    ocr_pages = models.PositiveIntegerField(default=0)
    ocr_error = models.CharField(max_length=40, blank=True)  # a code, never content
    ocr_at = models.DateTimeField(null=True, blank=True)
    ocr_text_enc = models.BinaryField(null=True, blank=True)

    class Meta:
        ordering = ["case", "number"]
        constraints = [models.UniqueConstraint(fields=["case", "number"], name="evidence_number_per_case")]
        indexes = [models.Index(fields=["case", "status", "kind"])]

    def __str__(self) -> str:
        return f"E{self.number}"

    @property
    def label(self) -> str:
        return f"E{self.number}"

    @property
    def is_active(self) -> bool:
        return self.status == ItemStatus.ACTIVE

    @property
    def family(self) -> str:
        if self.media_type == "application/pdf":
            return "pdf"
        return self.media_type.split("/", 1)[0]


class TranslationStatus(models.TextChoices):
    NEEDED = "needed", _("needed")
    DRAFT = "draft", _("draft")
    CERTIFIED = "certified", _("certified")


class Translation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(EvidenceItem, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=8)
    status = models.CharField(
        _("status"), max_length=10, choices=TranslationStatus.choices, default=TranslationStatus.NEEDED
    )
    translator_enc = models.BinaryField(null=True, blank=True)
    text_enc = models.BinaryField(null=True, blank=True)
    # An optional translated file (e.g. the certified translation as a scanned PDF). It has its
    # own id: a replacement is published under a new id before the old file is removed.
    file_id = models.UUIDField(null=True, blank=True)
    media_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    file_key_enc = models.BinaryField(null=True, blank=True)
    sha256_enc = models.BinaryField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["item", "language", "-updated_at"]
        constraints = [models.UniqueConstraint(fields=["item", "language"], name="one_translation_per_language")]

    def __str__(self) -> str:
        return f"{self.item_id}:{self.language}"

    @property
    def has_file(self) -> bool:
        return bool(self.file_key_enc)


class EvidenceLink(models.Model):
    """A lawyer's statement that an item supports one requirement of one pathway."""

    item = models.ForeignKey(EvidenceItem, on_delete=models.CASCADE, related_name="links")
    pathway_id = models.CharField(max_length=80)
    requirement_id = models.CharField(max_length=120)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pathway_id", "requirement_id", "item"]
        constraints = [
            models.UniqueConstraint(fields=["item", "pathway_id", "requirement_id"], name="one_link_per_requirement")
        ]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.pathway_id}/{self.requirement_id}"
