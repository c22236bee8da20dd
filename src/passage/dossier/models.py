"""Generated dossiers (stored encrypted) and the office's cover-letter templates.

A dossier row shows only plain facts: case, pathway id, language, who, when, size, counts.
The PDF — names, facts, letter, evidence — exists only as an encrypted file under a per-file
key wrapped by the case key; its SHA-256 is stored encrypted too.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from passage.cases.models import Case


class DossierStatus(models.TextChoices):
    READY = "ready", _("ready")
    DELETED = "deleted", _("deleted")


class Dossier(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="dossiers")
    pathway_id = models.CharField(max_length=80)
    language = models.CharField(max_length=5)
    status = models.CharField(max_length=10, choices=DossierStatus.choices, default=DossierStatus.READY)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    size = models.PositiveBigIntegerField(default=0)
    page_count = models.PositiveIntegerField(default=0)
    item_count = models.PositiveIntegerField(default=0)
    missing_translations = models.PositiveIntegerField(default=0)
    build_seconds = models.FloatField(default=0)
    file_key_enc = models.BinaryField(null=True, blank=True)
    sha256_enc = models.BinaryField(null=True, blank=True)

    class Meta:
        ordering = ["case", "-created_at"]

    def __str__(self) -> str:
        return f"dossier {self.id} ({self.pathway_id}, {self.language})"


class CoverLetterTemplate(models.Model):
    """The office's own cover letter for one language (overrides the shipped default).

    Not about any person: placeholders such as ``{embassy}`` are filled in per dossier.
    """

    language = models.CharField(max_length=5, unique=True)
    body = models.TextField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"cover letter ({self.language})"
