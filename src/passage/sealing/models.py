"""What the vault stores in the database: only ciphertext and public values."""

from __future__ import annotations

from django.db import models


class VaultRecord(models.Model):
    """The vault header (KDF parameters, wrapped master key, check value, office public key).

    One row. Readable while sealed; useless without the passphrase or the shares.
    """

    header = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "vault header"


class CaseKey(models.Model):
    """A case's data key, wrapped by the master key. Deleting it crypto-shreds the case."""

    case_id = models.UUIDField(unique=True)
    wrapped = models.BinaryField()
    master_version = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"key of case {self.case_id}"
