"""Audit events in a hash chain.

Each row stores the hash of the row before it and a hash over its own content; changing,
inserting or deleting a row breaks the chain at a place :func:`passage.audit.chain.verify` names.
Rows never hold sensitive content: only who, what action, which record (by id), which fields,
and when.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=40)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    fields = models.CharField(max_length=400, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # HMAC of ``hash`` under a key derived from the vault's master key (empty if written sealed).
    mac = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.target_type}:{self.target_id}"


class AuditHead(models.Model):
    """The last row written with the vault's key, signed under a purpose rows never use.

    Deleting the last rows of the chain leaves a shorter chain whose rows all verify; this record
    says where the chain ended, and only someone holding the vault's key can move it back.
    """

    signed_seq = models.PositiveBigIntegerField()
    signed_hash = models.CharField(max_length=64)
    signed_mac = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"audit head at row {self.signed_seq}"
